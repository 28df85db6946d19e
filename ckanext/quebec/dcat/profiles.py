"""The quebec_dcat_ap_3 RDF profile: the portal's fields in DCAT-AP 3, valid against its SHACL shapes.

It runs after ckanext-dcat's ``euro_dcat_ap_3`` profile
(``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 quebec_dcat_ap_3``): the base
profile writes the core fields, this one replaces what the DCAT-AP 3.0.0 shapes
reject (codes and names written as literals where a resource is expected) and
adds the portal's own fields, in French and English. Fields of the bilingual
schema (``title_translated``, ``keywords``, ``update_frequency``...) are used
when the dataset has them; core fields (``title``, ``notes``, ``tags``)
otherwise. Parsing reads back what serializing writes.
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, RDFS, SKOS, VCARD, XSD
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.utils import resource_uri

from ckanext.quebec.schema import vocabularies

from . import config

LANGUAGES = ("fr", "en")
# The languages of the catalogue itself: the portal is bilingual.
CATALOG_LANGUAGES = ("FR", "EN")

# Translated fields of a dataset and of a resource, with their core fallback.
_DATASET_TEXTS = (
    ("title_translated", "title", DCT.title),
    ("notes_translated", "notes", DCT.description),
)
_RESOURCE_TEXTS = (
    ("name_translated", "name", DCT.title),
    ("description_translated", "description", DCT.description),
)


def _own_vocabulary(name: str) -> list[dict[str, Any]]:
    """A vocabulary of this folder's vocabularies/ (EU vocabularies only the feed needs)."""
    return vocabularies.load(os.path.join(os.path.dirname(__file__), "vocabularies"))[name]


def _file_types() -> list[dict[str, Any]]:
    return _own_vocabulary("file_types")


def eu_theme_labels(uri: str) -> dict[str, str]:
    for entry in _own_vocabulary("eu_data_themes"):
        if entry["uri"] == uri:
            return dict(entry["label"])
    return {}


@functools.cache
def _file_type_index() -> dict[str, dict[str, Any]]:
    """Every spelling of a format (value, alias, URI), lower-cased, to its entry."""
    index: dict[str, dict[str, Any]] = {}
    for entry in _file_types():
        for name in [entry["value"], entry["uri"], *entry.get("aliases", [])]:
            index[name.lower()] = entry
    return index


def file_type(fmt: str | None) -> dict[str, Any] | None:
    """The file-type entry of a resource's format, or None if it is not in the vocabulary."""
    if not fmt:
        return None
    return _file_type_index().get(fmt.strip().lower())


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
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
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


class QuebecDCATAP3Profile(RDFProfile):
    """Fixes and completes ``euro_dcat_ap_3`` for the portal; see the module docstring."""

    # Serializing

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for translated, _core, predicate in _DATASET_TEXTS:
            self._replace_translated(dataset_ref, predicate, _extra(dataset_dict, translated))
        self._add_keywords(dataset_dict, dataset_ref)
        self._add_methodology(dataset_dict, dataset_ref)
        self._add_languages(dataset_ref, _extra(dataset_dict, "language"))
        self._add_themes(dataset_dict, dataset_ref)
        self._add_frequency(dataset_dict, dataset_ref)
        self._add_temporal(dataset_dict, dataset_ref)
        self._add_publisher_names(dataset_dict, dataset_ref)
        self._fix_contact_points(dataset_dict, dataset_ref)
        licence = _uri_of("licences", dataset_dict.get("license_id")) or dataset_dict.get(
            "license_url"
        )
        for resource_dict in dataset_dict.get("resources") or []:
            self._complete_distribution(resource_dict, licence)

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        g = self.g
        for predicate, texts in (
            (DCT.title, config.catalog_title()),
            (DCT.description, config.catalog_description()),
        ):
            if texts:
                self._replace_translated(catalog_ref, predicate, texts)

        g.remove((catalog_ref, FOAF.homepage, None))
        homepage = URIRef(config.catalog_homepage())
        g.add((catalog_ref, FOAF.homepage, homepage))
        g.add((homepage, RDF.type, FOAF.Document))

        g.remove((catalog_ref, DCT.language, None))
        for code in CATALOG_LANGUAGES:
            self._add_language(catalog_ref, _uri_of("data_languages", code))

        g.remove((catalog_ref, DCT.publisher, None))
        publisher = URIRef(config.catalog_publisher_uri())
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        self._add_translated(publisher, FOAF.name, config.catalog_publisher_name())

        service = URIRef(config.api_endpoint())
        g.add((catalog_ref, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCAT.endpointURL, service))
        self._add_translated(service, DCT.title, config.api_title())

    # Parsing

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        for translated, core, predicate in _DATASET_TEXTS:
            texts = self._literals_by_language(dataset_ref, predicate)
            if texts:
                dataset_dict[translated] = texts
                dataset_dict[core] = texts.get("fr") or next(iter(texts.values()))

        keywords: dict[str, list[str]] = {}
        for literal in self.g.objects(dataset_ref, DCAT.keyword):
            if getattr(literal, "language", None) in LANGUAGES:
                keywords.setdefault(literal.language, []).append(str(literal))
        if keywords:
            dataset_dict["keywords"] = {lang: sorted(words) for lang, words in keywords.items()}

        for statement in self.g.objects(dataset_ref, DCT.provenance):
            texts = self._literals_by_language(statement, RDFS.label)
            if texts:
                dataset_dict["methodologie_translated"] = texts

        language = self._language_value(set(map(str, self.g.objects(dataset_ref, DCT.language))))
        if language:
            dataset_dict["language"] = language

        groups = self._groups(dataset_ref)
        if groups:
            dataset_dict["groups"] = [{"name": name} for name in groups]

        frequency = self._object(dataset_ref, DCT.accrualPeriodicity)
        if frequency is not None:
            value = _value_of("update_frequencies", str(frequency))
            if value:
                dataset_dict["update_frequency"] = value

        for period in self.g.objects(dataset_ref, DCT.temporal):
            for key, predicate in (("temporal_start", DCAT.startDate), ("temporal_end", DCAT.endDate)):
                value = self._object(period, predicate)
                if value is not None:
                    dataset_dict[key] = str(value)

        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            name = self._object(contact, VCARD.fn)
            email = self._object(contact, VCARD.hasEmail)
            if name is not None:
                dataset_dict["author"] = str(name)
            if email is not None:
                dataset_dict["author_email"] = self._without_mailto(str(email))

        for resource_dict in dataset_dict.get("resources") or []:
            self._parse_distribution(resource_dict, dataset_dict)

        # What was moved to the top level no longer needs its extra.
        dataset_dict["extras"] = [
            extra for extra in dataset_dict.get("extras") or []
            if extra["key"] not in dataset_dict
            and extra["key"] not in ("language", "theme", "frequency", "provenance")
        ]
        return dataset_dict

    # Helpers: literals

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

    # Helpers: dataset

    def _add_keywords(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        keywords = _extra(dataset_dict, "keywords")
        if isinstance(keywords, str):
            try:
                keywords = json.loads(keywords)
            except ValueError:
                return
        if not isinstance(keywords, dict) or not any(keywords.values()):
            return
        self.g.remove((dataset_ref, DCAT.keyword, None))
        for lang, words in keywords.items():
            for word in words or []:
                self.g.add((dataset_ref, DCAT.keyword, Literal(word, lang=lang)))

    def _add_methodology(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        texts = _translated(_extra(dataset_dict, "methodologie_translated"))
        if not texts:
            return
        statement = BNode()
        self.g.add((dataset_ref, DCT.provenance, statement))
        self.g.add((statement, RDF.type, DCT.ProvenanceStatement))
        self._add_translated(statement, RDFS.label, texts)

    def _add_language(self, subject: Node, uri: str | None) -> None:
        if uri:
            self.g.add((subject, DCT.language, URIRef(uri)))
            self.g.add((URIRef(uri), RDF.type, DCT.LinguisticSystem))

    def _add_languages(self, subject: Node, code: Any) -> None:
        """dct:language as EU language resources, in place of the base profile's literal."""
        for obj in list(self.g.objects(subject, DCT.language)):
            if isinstance(obj, Literal):
                self.g.remove((subject, DCT.language, obj))
        codes = code if isinstance(code, list) else [code] if code else []
        for value in codes:
            entry = next(
                (e for e in vocabularies.get("data_languages") if e["value"] == value), None
            )
            for uri in _entry_uris(entry) if entry else []:
                self._add_language(subject, uri)

    def _language_value(self, uris: set[str]) -> str | None:
        for entry in vocabularies.get("data_languages"):
            if set(_entry_uris(entry)) == uris:
                return entry["value"]
        return None

    def _add_themes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Each category as two themes: the portal's own concept and the EU data theme."""
        for group in dataset_dict.get("groups") or []:
            name = group.get("name") if isinstance(group, dict) else group
            labels = {
                lang: vocabularies.label("categories", name, lang) for lang in LANGUAGES
            }
            if not labels["fr"]:
                continue
            concept = URIRef(f"{config.site_url()}/group/{name}")
            self.g.add((dataset_ref, DCAT.theme, concept))
            self.g.add((concept, RDF.type, SKOS.Concept))
            self.g.add((concept, SKOS.notation, Literal(name)))
            self._add_translated(concept, SKOS.prefLabel, labels)
            eu_theme = _uri_of("categories", name, "eu_theme")
            if eu_theme:
                self.g.add((dataset_ref, DCAT.theme, URIRef(eu_theme)))
                self.g.add((URIRef(eu_theme), RDF.type, SKOS.Concept))
                self._add_translated(URIRef(eu_theme), SKOS.prefLabel, eu_theme_labels(eu_theme))
                self.g.add((concept, SKOS.broadMatch, URIRef(eu_theme)))

    def _groups(self, dataset_ref: Node) -> list[str]:
        names = []
        for concept in self.g.objects(dataset_ref, DCAT.theme):
            notation = self._object(concept, SKOS.notation)
            if notation is not None and vocabularies.label("categories", str(notation)):
                names.append(str(notation))
        return sorted(names)

    def _add_frequency(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        uri = _uri_of("update_frequencies", _extra(dataset_dict, "update_frequency"))
        if uri:
            self.g.remove((dataset_ref, DCT.accrualPeriodicity, None))
            self.g.add((dataset_ref, DCT.accrualPeriodicity, URIRef(uri)))
            self.g.add((URIRef(uri), RDF.type, DCT.Frequency))

    def _add_temporal(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """dct:temporal with dcat:startDate/endDate, in place of the base profile's schema.org dates."""
        start = _extra(dataset_dict, "temporal_start")
        end = _extra(dataset_dict, "temporal_end")
        if not (start or end):
            return
        for period in list(self.g.objects(dataset_ref, DCT.temporal)):
            self.g.remove((dataset_ref, DCT.temporal, period))
            self.g.remove((period, None, None))
        period = BNode()
        self.g.add((dataset_ref, DCT.temporal, period))
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        if start:
            self._add_date_triple(period, DCAT.startDate, start)
        if end:
            self._add_date_triple(period, DCAT.endDate, end)

    def _add_publisher_names(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The organization's name in both languages, when the organization has it translated."""
        organization = dataset_dict.get("organization") or {}
        texts = _translated(organization.get("title_translated"))
        if not texts:
            return
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            self.g.remove((publisher, FOAF.name, None))
            self._add_translated(publisher, FOAF.name, texts)

    def _fix_contact_points(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The portal's contact is the author ("Responsable"); the base profile prefers the maintainer."""
        author, email = dataset_dict.get("author"), dataset_dict.get("author_email")
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            # The shapes validate without inference: a vcard:Organization must
            # also say it is a vcard:Kind.
            self.g.add((contact, RDF.type, VCARD.Kind))
            if author:
                self.g.set((contact, VCARD.fn, Literal(author)))
            if email:
                self.g.set((contact, VCARD.hasEmail, URIRef(self._add_mailto(email))))

    # Helpers: distributions

    def _complete_distribution(self, resource_dict: dict[str, Any], licence: str | None) -> None:
        g = self.g
        distribution = URIRef(resource_uri(resource_dict))
        for translated, _core, predicate in _RESOURCE_TEXTS:
            self._replace_translated(distribution, predicate, resource_dict.get(translated))

        entry = file_type(resource_dict.get("format"))
        for predicate in (DCT["format"], DCAT.mediaType):
            for obj in list(g.objects(distribution, predicate)):
                if isinstance(obj, Literal) or entry:
                    g.remove((distribution, predicate, obj))
        if entry:
            g.add((distribution, DCT["format"], URIRef(entry["uri"])))
            g.add((URIRef(entry["uri"]), RDF.type, DCT.MediaTypeOrExtent))
            if entry.get("media_type"):
                g.add((distribution, DCAT.mediaType, URIRef(entry["media_type"])))
                g.add((URIRef(entry["media_type"]), RDF.type, DCT.MediaType))

        # euro_dcat_ap_3 writes xsd:nonNegativeInteger; the 3.0.0 shapes want xsd:decimal.
        for size in list(g.objects(distribution, DCAT.byteSize)):
            if isinstance(size, Literal) and size.datatype != XSD.decimal:
                g.remove((distribution, DCAT.byteSize, size))
                g.add((distribution, DCAT.byteSize, Literal(str(size), datatype=XSD.decimal)))

        if licence and (distribution, DCT.license, None) not in g:
            g.add((distribution, DCT.license, URIRef(licence)))
            g.add((URIRef(licence), RDF.type, DCT.LicenseDocument))

    def _parse_distribution(self, resource_dict: dict[str, Any], dataset_dict: dict[str, Any]) -> None:
        distribution = URIRef(resource_dict.get("uri") or "")
        if (distribution, None, None) not in self.g:
            return
        for translated, core, predicate in _RESOURCE_TEXTS:
            texts = self._literals_by_language(distribution, predicate)
            if texts:
                resource_dict[translated] = texts
                resource_dict[core] = texts.get("fr") or next(iter(texts.values()))
        fmt = self._object(distribution, DCT["format"])
        entry = file_type(str(fmt)) if fmt is not None else None
        if entry:
            resource_dict["format"] = entry["value"]
        licence = self._object(distribution, DCT.license)
        if licence is not None:
            value = _value_of("licences", str(licence))
            if value:
                dataset_dict["license_id"] = value
