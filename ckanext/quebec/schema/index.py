"""What the schema puts into the search index: one plain key per language of each bilingual field.

The contract with the search backends (Solr, quebec_search): for every
bilingual field ``<field>`` of the dataset schema, the index document gets
``<field>_fr`` and ``<field>_en`` (a text, or a list of words for keywords),
machine translations included, and no dict-valued key at all (Solr cannot
index a dict). Vocabulary lists stored as JSON (``categories``,
``territories``) are indexed as lists; ``territories`` also lists every
territory the chosen ones lie in (a municipality's region, the province), so
that a filter or facet on a region finds its municipalities' datasets.
"""
from __future__ import annotations

import json
from typing import Any

from . import fields, jsonvalue, validators, vocabularies

# The schema's bilingual fields and its fields holding a JSON list.
TRANSLATED_FIELDS = fields.translated_fields()
LIST_FIELDS = ("categories", "territories")


def _loaded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        return jsonvalue.from_json(value)
    return value


def by_language(texts: dict[str, Any]) -> dict[str, Any]:
    """``{"fr": ..., "en": ...}`` of a bilingual value, machine translations counted."""
    out = {}
    for language in validators.LANGUAGES:
        for key in (language, validators.MACHINE_TAGS[language]):
            if texts.get(key):
                out[language] = texts[key]
                break
    return out


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    for field in TRANSLATED_FIELDS:
        value = _loaded(pkg_dict.get(field))
        for extra_key in ("extras_" + field,):
            pkg_dict.pop(extra_key, None)
        if not isinstance(value, dict):
            continue
        pkg_dict.pop(field, None)
        for language, text in by_language(value).items():
            pkg_dict[f"{field}_{language}"] = text
    for field in LIST_FIELDS:
        value = _loaded(pkg_dict.get(field))
        if isinstance(value, list):
            if field == "territories":
                value = vocabularies.with_ancestors("territories", value)
            pkg_dict[field] = value
            pkg_dict.pop("extras_" + field, None)
    # Anything else dict-valued (another extension's field) would break Solr.
    for key in [key for key, value in pkg_dict.items() if isinstance(value, dict)]:
        pkg_dict[key] = json.dumps(pkg_dict[key], ensure_ascii=False)
    return pkg_dict
