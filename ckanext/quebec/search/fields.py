"""How CKAN's Solr schema treats each field, so PostgreSQL can treat it the same.

The kinds and rules mirror ckan/config/solr/schema.xml: ``string`` fields match
exactly, ``text`` fields are tokenized and stemmed, ``date`` and ``number`` fields
take ranges. Fields the schema does not name fall under its catch-all dynamic
rule (``*`` → string), as they would on Solr.
"""
from __future__ import annotations

import re

STRING = "string"
TEXT = "text"
DATE = "date"
NUMBER = "number"

_EXPLICIT_KINDS = {
    "title": TEXT,
    "notes": TEXT,
    "text": TEXT,
    "urls": TEXT,
    "author": TEXT,
    "author_email": TEXT,
    "maintainer": TEXT,
    "maintainer_email": TEXT,
    "res_name": TEXT,
    "res_description": TEXT,
    "title_ngram": TEXT,
    "name_ngram": TEXT,
    "depends_on": TEXT,
    "dependency_of": TEXT,
    "derives_from": TEXT,
    "has_derivation": TEXT,
    "links_to": TEXT,
    "linked_from": TEXT,
    "child_of": TEXT,
    "parent_of": TEXT,
    "metadata_created": DATE,
    "metadata_modified": DATE,
    "indexed_ts": DATE,
    "views_total": NUMBER,
    "views_recent": NUMBER,
    "resources_accessed_total": NUMBER,
    "resources_accessed_recent": NUMBER,
    # ckanext-spatial's solr-bbox envelope (schemas/solr/schema.xml: pdouble)
    "minx": NUMBER,
    "maxx": NUMBER,
    "miny": NUMBER,
    "maxy": NUMBER,
    "bbox_area": NUMBER,
}

# Solr's multiValued fields: it refuses a document that sends a list of more
# than one value to any other field ("multiple values encountered for non
# multiValued field"), and so does quebec_search's writer. categories and
# territories are the suite's (quebec_schema's index hook sends lists).
MULTI_VALUED = frozenset({
    "tags", "groups", "permission_labels", "text", "urls",
    "res_name", "res_description", "res_format", "res_url", "res_type",
    "depends_on", "dependency_of", "derives_from", "has_derivation",
    "links_to", "linked_from", "child_of", "parent_of",
    "categories", "territories",
})
# Dynamic fields that are multi-valued; each language of a translated field
# (``*_fr``, ``*_en``) is too, except an extra (``extras_*`` wins in Solr,
# the longer pattern).
MULTI_VALUED_PREFIXES = ("res_extras_", "vocab_")

# Solr's stored="false" fields: searchable, never returned in results.
UNSTORED = frozenset({
    "text", "urls", "permission_labels", "title_string",
    "views_total", "views_recent",
    "resources_accessed_total", "resources_accessed_recent",
    "depends_on", "dependency_of", "derives_from", "has_derivation",
    "links_to", "linked_from", "child_of", "parent_of",
    "spatial",
})

# Fields whose words feed the catch-all ``text`` field, grouped by the weight
# they carry in ranking (PostgreSQL's A > B > C > D), following CKAN's
# default query fields "name^4 title^4 tags^2 groups^2 text".
TEXT_WEIGHTS = {
    "A": ("name", "title"),
    "B": ("tags", "groups"),
    "C": ("notes", "organization", "license", "author", "maintainer", "text"),
    "D": ("res_name", "res_description", "urls", "url", "res_url",
          "ckan_url", "download_url"),
}
# Dynamic fields that also feed ``text`` (copyField extras_* / res_extras_* / vocab_*).
TEXT_DYNAMIC_PREFIXES = ("extras_", "res_extras_", "vocab_")

# Fields CKAN filters nearly every search on (site, state, visibility, type,
# permission labels). Their values are also kept in the document's narrow
# ``signature`` column, and documents sharing them form one segment of the
# maintained facet counts (migration 0004 holds the same list).
SIGNATURE_FIELDS = frozenset({"capacity", "dataset_type", "entity_type", "permission_labels",
                              "site_id", "state", "type"})

FIELD_NAME_RE = re.compile(r"^[A-Za-z0-9_\-.]+$")

# Solr's n-gram fields (text_ngram: every 2 to 10 characters of the field
# each copies, lower-cased) and that field; migration 0014 indexes the same.
NGRAM_FIELDS = {"name_ngram": "name", "title_ngram": "title"}
NGRAM_SIZES = range(2, 11)


# Translated fields arrive as one key per language (``title_translated_fr``,
# ``keywords_en``): each is stemmed in its own language only, and weighs in
# ranking as its base field does.
LANGUAGES = ("fr", "en")
_LANGUAGE_WEIGHTS = {"title_translated": "A", "keywords": "B", "tags_translated": "B",
                     "notes_translated": "C", "description_translated": "C"}
_LANGUAGE_SUFFIX_RE = re.compile(r"^(?P<base>.+)_(?P<language>fr|en)$")


def language_of(field: str) -> str | None:
    """``fr`` or ``en`` for a field that holds one language of a translated field."""
    match = _LANGUAGE_SUFFIX_RE.match(field)
    return match.group("language") if match else None


def language_weight(field: str) -> str:
    """The ranking weight (A–D) of one language of a translated field."""
    match = _LANGUAGE_SUFFIX_RE.match(field)
    base = match.group("base") if match else field
    return _LANGUAGE_WEIGHTS.get(base, "D")


def kind_of(field: str) -> str:
    """The Solr field type family of ``field``."""
    kind = _EXPLICIT_KINDS.get(field)
    if kind:
        return kind
    if field.startswith("vocab_"):
        # Solr's vocab_* (strings) is a longer pattern than *_fr and *_en.
        return STRING
    if language_of(field):
        return TEXT
    if field.endswith("_date"):
        return DATE
    if field.startswith(("extras_", "res_extras_")):
        return TEXT
    return STRING


# String fields that hold one value per dataset (or per resource): counting
# them would number as many values as there are datasets and rewrite every
# document the first time someone faceted on them (100,000 datasets: more
# than a minute, writers waiting). Facets on them are counted from the
# matching documents instead, as for full text.
UNCOUNTED = frozenset({"id", "index_id", "name", "title_string", "url", "res_url",
                       "ckan_url", "download_url", "data_dict", "validated_data_dict"})


def is_countable(field: str) -> bool:
    """Whether the index may keep facet counts of ``field``: names and codes,
    not full text nor a value of each dataset's own.

    Extras are text on Solr's schema but hold codes (an update frequency, a
    territory) more often than prose, and portals facet on them.
    """
    if field.startswith(TEXT_DYNAMIC_PREFIXES):
        return is_valid_name(field)
    return kind_of(field) == STRING and field not in UNCOUNTED and is_valid_name(field)


def is_multi_valued(field: str) -> bool:
    """Whether Solr's schema lets ``field`` hold several values."""
    if field in MULTI_VALUED or field.startswith(MULTI_VALUED_PREFIXES):
        return True
    return language_of(field) is not None and not field.startswith("extras_")


def is_stored(field: str) -> bool:
    return field not in UNSTORED


def is_valid_name(field: str) -> bool:
    return bool(FIELD_NAME_RE.match(field))
