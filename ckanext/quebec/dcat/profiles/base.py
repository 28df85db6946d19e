"""What the portal's RDF profiles share: languages, vocabularies, translated literals."""
from __future__ import annotations

import os
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from ckanext.dcat.profiles import DCT
from ckanext.dcat.profiles.base import RDFProfile

from ckanext.quebec.schema import jsonvalue, vocabularies

LANGUAGES = ("fr", "en")

# Translated fields of a dataset and of a resource, with their core fallback.
_DATASET_TEXTS = (
    ("title_translated", "title", DCT.title),
    ("notes_translated", "notes", DCT.description),
)
_RESOURCE_TEXTS = (
    ("name_translated", "name", DCT.title),
    ("description_translated", "description", DCT.description),
)

PREFIX_MAILTO = "mailto:"


def without_mailto(address: str) -> str:
    """An e-mail address without its ``mailto:`` prefix."""
    return str(address).replace(PREFIX_MAILTO, "")


def mailto(address: str) -> str:
    """An e-mail address as a ``mailto:`` IRI."""
    return PREFIX_MAILTO + without_mailto(address)


def _own_vocabulary(name: str) -> list[dict[str, Any]]:
    """A vocabulary of the dcat folder's vocabularies/ (EU vocabularies only the feed needs)."""
    return vocabularies.load(os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                          "vocabularies"))[name]


def eu_theme_labels(uri: str) -> dict[str, str]:
    for entry in _own_vocabulary("eu_data_themes"):
        if entry["uri"] == uri:
            return dict(entry["label"])
    return {}


def _vocabulary_index(name: str) -> dict[str, dict[str, Any]]:
    """A vocabulary of schemas/vocabularies by value (the loaded lists are cached, so is this)."""
    entries = vocabularies.get(name)
    cached = _INDEXES.get(name)
    if cached is None or cached[0] is not entries:
        cached = _INDEXES[name] = (entries, {e["value"]: e for e in entries})
    return cached[1]


_INDEXES: dict[str, tuple[list, dict[str, dict[str, Any]]]] = {}


def _entry_uris(entry: dict[str, Any]) -> list[str]:
    return entry.get("uris") or ([entry["uri"]] if entry.get("uri") else [])


def _uri_of(vocabulary: str, value: str | None, key: str = "uri") -> str | None:
    for entry in vocabularies.get(vocabulary):
        if entry["value"] == value:
            return entry.get(key)
    return None


def _value_of(vocabulary: str, uri: str, key: str = "uri") -> str | None:
    for entry in vocabularies.get(vocabulary):
        if entry.get(key) == uri:
            return entry["value"]
    return None


def _translated(value: Any) -> dict[str, str]:
    """A fluent value ({"fr": .., "en": ..}, maybe as JSON text) without its empty languages."""
    value = jsonvalue.from_json(value, invalid={})
    if not isinstance(value, dict):
        return {}
    return {lang: text for lang, text in value.items() if isinstance(text, str) and text}


def _extra(dataset_dict: dict[str, Any], key: str) -> Any:
    """A field of the dataset, at the top level (scheming) or as an extra (core CKAN)."""
    if dataset_dict.get(key) not in (None, "", [], {}):
        return dataset_dict[key]
    for extra in dataset_dict.get("extras") or []:
        if extra.get("key") == key:
            return extra.get("value")
    return None


# Where a parsed dataset lists the values the portal's vocabularies do not
# know (what the import and the harvester report, then drop before storing).
UNMAPPED = "quebec_unmapped"


def note_unmapped(dataset_dict: dict[str, Any], vocabulary: str, value: str) -> None:
    """Record that ``value`` of ``vocabulary`` was read but not mapped."""
    noted = dataset_dict.setdefault(UNMAPPED, [])
    if {"vocabulary": vocabulary, "value": value} not in noted:
        noted.append({"vocabulary": vocabulary, "value": value})


def _vocabulary_or_empty(name: str) -> list[dict[str, Any]]:
    try:
        return vocabularies.get(name)
    except KeyError:
        return []

def _list(value: Any) -> list[str]:
    """A list field (maybe as JSON text, maybe one value) as a list of strings."""
    value = jsonvalue.from_json(value)
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value or [] if v]

class _TranslatedLiterals(RDFProfile):
    """Language-tagged literals in and out of the graph."""

    def _add_translated(self, subject: Node, predicate: URIRef, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            self.g.add((subject, predicate, Literal(text, lang=lang)))

    def _replace_translated(self, subject: Node, predicate: URIRef, value: Any) -> None:
        texts = _translated(value)
        if texts:
            self.g.remove((subject, predicate, None))
            self._add_translated(subject, predicate, texts)

    def _literals_by_language(self, subject: Node, predicate: URIRef) -> dict[str, str]:
        return {
            literal.language: str(literal)
            for literal in self.g.objects(subject, predicate)
            if isinstance(literal, Literal) and literal.language in LANGUAGES
        }
