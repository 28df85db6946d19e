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

import contextlib
import copy
import contextvars
import decimal
import functools
import json
import os
from typing import Any, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import ORG, TIME
from rdflib.term import Node

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.dcat.profiles import DCAT, DCT, FOAF, LOCN, RDF, RDFS, SCHEMA, SKOS, VCARD, XSD
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.utils import resource_uri

from ckanext.quebec.partners.umbrella import names_by_id as umbrella_names_by_id
from ckanext.quebec.schema import vocabularies

from . import config, quality

LANGUAGES = ("fr", "en")
# Labels of the nodes the profile names for the partner and resource fields.
DATA_DICTIONARY_TITLE = {"fr": "Dictionnaire de données", "en": "Data dictionary"}
OPEN_DATA_POLICY_TITLE = {"fr": "Politique de données ouvertes", "en": "Open data policy"}
SPONSOR_CONTACT_TYPE = {"fr": "Répondant en gouvernement ouvert", "en": "Open government sponsor"}
CERTIFIED_BODY = {"fr": "Organisme public certifié", "en": "Certified public body"}
# EU access-right vocabulary: what a public dataset of the portal has.
PUBLIC_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
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


class QuebecDCATAP3Profile(_TranslatedLiterals):
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
        self._add_publisher(dataset_dict, dataset_ref)
        self._fix_contact_points(dataset_dict, dataset_ref)
        self._add_spatial(dataset_dict, dataset_ref)
        self._add_territories(dataset_dict, dataset_ref)
        self._add_public_access_rights(dataset_dict, dataset_ref)
        quality.add_to_graph(self.g, dataset_ref, dataset_dict.get(quality.KEY))
        licence = _uri_of("licences", dataset_dict.get("license_id")) or dataset_dict.get(
            "license_url"
        )
        for resource_dict in dataset_dict.get("resources") or []:
            self._complete_distribution(resource_dict, licence)
        self._fix_byte_sizes()

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
        if groups and p.plugin_loaded("quebec_schema"):
            dataset_dict["categories"] = groups
        elif groups:
            dataset_dict["groups"] = [{"name": name} for name in groups]

        territories = self._territories(dataset_ref)
        if territories:
            dataset_dict["territories"] = territories
        self._parse_extent(dataset_dict, dataset_ref)

        umbrella = self._umbrella(dataset_ref)
        if umbrella:
            dataset_dict["organisation_principale"] = umbrella

        partner_fields = self._partner_fields(dataset_ref)
        if len(partner_fields) > 1 or (partner_fields and "title_translated" not in partner_fields):
            # The partner's fields, as organization_show gives them (the
            # importer leaves them: the organization is the portal's).
            dataset_dict["organization"] = partner_fields

        measured = quality.from_graph(self.g, dataset_ref)
        if measured:
            dataset_dict[quality.KEY] = measured

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

        if p.plugin_loaded("quebec_schema"):
            # ckanext-dcat's scheming fields: the portal's schema has author
            # and author_email, and the organization, instead.
            for key in ("contact", "publisher", "creator"):
                dataset_dict.pop(key, None)

        # Public access is what a public dataset has; the portal stores no field for it.
        if dataset_dict.get("access_rights") == PUBLIC_ACCESS_RIGHTS:
            dataset_dict.pop("access_rights")
        dataset_dict["extras"] = [
            extra for extra in dataset_dict.get("extras") or []
            if not (extra["key"] == "access_rights" and extra["value"] == PUBLIC_ACCESS_RIGHTS)
        ]

        # What was moved to the top level no longer needs its extra.
        dataset_dict["extras"] = [
            extra for extra in dataset_dict.get("extras") or []
            if extra["key"] not in dataset_dict
            and extra["key"] not in ("language", "theme", "frequency", "provenance")
        ]
        return dataset_dict

    # Helpers: dataset

    def _add_public_access_rights(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """A public dataset without stated access rights gets the EU vocabulary's PUBLIC.

        quebec_quality's MQA score counts a public dataset's access rights as
        given; harvesters scoring the feed then find them too.
        """
        if dataset_dict.get("private") or self._object(dataset_ref, DCT.accessRights) is not None:
            return
        rights = URIRef(PUBLIC_ACCESS_RIGHTS)
        self.g.add((dataset_ref, DCT.accessRights, rights))
        self.g.add((rights, RDF.type, DCT.RightsStatement))

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
        """Each category as two themes: the portal's own concept and the EU data theme.

        The categories are the schema's ``categories`` field, or the dataset's
        groups without the schema.
        """
        names = _list(_extra(dataset_dict, "categories"))
        for group in dataset_dict.get("groups") or []:
            name = group.get("name") if isinstance(group, dict) else group
            if name not in names:
                names.append(name)
        categories = _vocabulary_index("categories")
        for name in names:
            if name not in categories:
                continue
            labels = categories[name]["label"]
            concept = URIRef(f"{config.site_url()}/group/{name}")
            self.g.add((dataset_ref, DCAT.theme, concept))
            self.g.add((concept, RDF.type, SKOS.Concept))
            self.g.add((concept, SKOS.notation, Literal(name)))
            self._add_translated(concept, SKOS.prefLabel, labels)
            eu_theme = categories[name].get("eu_theme")
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

    def _organization(self, name_or_id: str | None) -> dict[str, Any] | None:
        return partner(name_or_id)

    def _add_publisher(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The partner as publisher: translated name, ADMS type, web site, logo, umbrella partner."""
        organization = dataset_dict.get("organization") or {}
        partner = self._organization(organization.get("id")) or organization
        # A partner's umbrella is stored by id (organization_show gives its name).
        umbrella = _extra(dataset_dict, "organisation_principale") or (
            self._organization(partner.get("organisation_principale")) or {}
        ).get("name")
        for publisher in list(self.g.objects(dataset_ref, DCT.publisher)):
            texts = _translated(partner.get("title_translated"))
            if texts:
                self.g.remove((publisher, FOAF.name, None))
                self._add_translated(publisher, FOAF.name, texts)
            self.g.add((publisher, RDF.type, FOAF.Organization))
            self._add_publisher_type(publisher, partner.get("partner_type"))
            for key, predicate in (("website", FOAF.homepage), ("image_display_url", FOAF.depiction)):
                if partner.get(key) and str(partner[key]).startswith(("http://", "https://")):
                    self.g.set((publisher, predicate, URIRef(partner[key])))
            if umbrella and umbrella != partner.get("name"):
                self._add_umbrella(publisher, umbrella)
            self._add_partner_fields(publisher, partner)

    def _add_partner_fields(self, publisher: Node, partner: dict[str, Any]) -> None:
        """The partnership fields of the partner: region, date joined, policy, sponsor, certification.

        - region: ``dct:spatial``, the region's ``dct:Location`` (as in territories);
        - date joined: a W3C ORG ``org:Membership`` of the catalogue's publisher
          (the partnership) whose ``org:memberDuring`` interval begins that day;
        - open data policy: ``foaf:page``, a ``foaf:Document``;
        - sponsor: a schema.org ``schema:ContactPoint`` (name, e-mail);
        - certified public body: a ``dqv:QualityCertificate`` whose target is the publisher.

        A page repeats the same partners: what is made of blank nodes is written once.
        """
        g = self.g
        region = next((e for e in _vocabulary_or_empty("territories")
                       if e.get("kind") == "region" and e.get("code") == partner.get("region")),
                      None) if partner.get("region") else None
        if region:
            self._add_location(publisher, region)
        joined = str(partner.get("date_joined") or "")[:10]
        if joined and (publisher, ORG.hasMembership, None) not in g:
            membership, interval, start = BNode(), BNode(), BNode()
            g.add((publisher, ORG.hasMembership, membership))
            g.add((membership, RDF.type, ORG.Membership))
            g.add((membership, ORG.member, publisher))
            g.add((membership, ORG.organization, URIRef(config.catalog_publisher_uri())))
            g.add((membership, ORG.memberDuring, interval))
            g.add((interval, RDF.type, TIME.Interval))
            g.add((interval, TIME.hasBeginning, start))
            g.add((start, RDF.type, TIME.Instant))
            g.add((start, TIME.inXSDDate, Literal(joined, datatype=XSD.date)))
        policy = partner.get("open_data_policy_url")
        if policy and str(policy).startswith(("http://", "https://")):
            page = URIRef(policy)
            g.add((publisher, FOAF.page, page))
            g.add((page, RDF.type, FOAF.Document))
            if (page, DCT.title, None) not in g:
                self._add_translated(page, DCT.title, OPEN_DATA_POLICY_TITLE)
        name, email = partner.get("sponsor_name"), partner.get("sponsor_email")
        if (name or email) and (publisher, SCHEMA.contactPoint, None) not in g:
            contact = BNode()
            g.add((publisher, SCHEMA.contactPoint, contact))
            g.add((contact, RDF.type, SCHEMA.ContactPoint))
            self._add_translated(contact, SCHEMA.contactType, SPONSOR_CONTACT_TYPE)
            if name:
                g.add((contact, SCHEMA.name, Literal(name)))
            if email:
                g.add((contact, SCHEMA.email, Literal(email)))
        if tk.asbool(partner.get("certified") or False) and (
                publisher, quality.DQV.hasQualityAnnotation, None) not in g:
            certificate, body = BNode(), BNode()
            g.add((publisher, quality.DQV.hasQualityAnnotation, certificate))
            g.add((certificate, RDF.type, quality.DQV.QualityCertificate))
            g.add((certificate, RDF.type, quality.OA.Annotation))
            g.add((certificate, quality.OA.hasTarget, publisher))
            g.add((certificate, quality.OA.motivatedBy, quality.DQV.qualityAssessment))
            g.add((certificate, quality.OA.hasBody, body))
            g.add((body, RDF.type, quality.OA.TextualBody))
            self._add_translated(body, RDF.value, CERTIFIED_BODY)

    def _partner_fields(self, dataset_ref: Node) -> dict[str, Any]:
        """The partner fields that _add_partner_fields wrote on the dataset's publisher."""
        g = self.g
        fields: dict[str, Any] = {}
        for publisher in g.objects(dataset_ref, DCT.publisher):
            names = self._literals_by_language(publisher, FOAF.name)
            if names:
                fields["title_translated"] = names
            regions = {_territory_uri(e): e["code"] for e in _vocabulary_or_empty("territories")
                       if e.get("kind") == "region" and e.get("code")}
            for location in g.objects(publisher, DCT.spatial):
                if str(location) in regions:
                    fields["region"] = regions[str(location)]
            for membership in g.objects(publisher, ORG.hasMembership):
                for interval in g.objects(membership, ORG.memberDuring):
                    for start in g.objects(interval, TIME.hasBeginning):
                        day = g.value(start, TIME.inXSDDate)
                        if day is not None:
                            fields["date_joined"] = str(day)
            for page in g.objects(publisher, FOAF.page):
                if (page, RDF.type, FOAF.Document) in g:
                    fields["open_data_policy_url"] = str(page)
            for contact in g.objects(publisher, SCHEMA.contactPoint):
                for key, predicate in (("sponsor_name", SCHEMA.name),
                                       ("sponsor_email", SCHEMA.email)):
                    value = g.value(contact, predicate)
                    if value is not None:
                        fields[key] = str(value)
            for certificate in g.objects(publisher, quality.DQV.hasQualityAnnotation):
                if (certificate, RDF.type, quality.DQV.QualityCertificate) in g:
                    fields["certified"] = True
        return fields

    def _add_publisher_type(self, publisher: Node, partner_type: str | None) -> None:
        entry = next(
            (e for e in _own_vocabulary("publisher_types") if e["value"] == partner_type), None
        )
        if not entry:
            return
        uri = URIRef(entry["uri"])
        self.g.remove((publisher, DCT.type, None))
        self.g.add((publisher, DCT.type, uri))
        self.g.add((uri, RDF.type, SKOS.Concept))
        self.g.add((uri, SKOS.inScheme, URIRef("http://purl.org/adms/publishertype/1.0")))
        self._add_translated(uri, SKOS.prefLabel, entry["label"])

    def _add_umbrella(self, publisher: Node, name: str) -> None:
        """org:subOrganizationOf the umbrella partner (gouvernement-du-quebec, a city...)."""
        umbrella = URIRef(f"{config.site_url()}/organization/{name}")
        self.g.add((publisher, ORG.subOrganizationOf, umbrella))
        self.g.add((umbrella, RDF.type, FOAF.Agent))
        self.g.add((umbrella, RDF.type, FOAF.Organization))
        self.g.add((umbrella, DCT.identifier, Literal(name)))
        if (umbrella, FOAF.name, None) in self.g:
            return
        texts = _translated((self._organization(name) or {}).get("title_translated"))
        self._add_translated(umbrella, FOAF.name, texts or {"fr": name})

    def _umbrella(self, dataset_ref: Node) -> str | None:
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            for umbrella in self.g.objects(publisher, ORG.subOrganizationOf):
                identifier = self._object(umbrella, DCT.identifier)
                if identifier is not None:
                    return str(identifier)
        return None

    def _add_territories(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Each territory as a dct:Location: its URI, its names and its bounding box."""
        entries = {e["value"]: e for e in _vocabulary_or_empty("territories")}
        for value in _list(_extra(dataset_dict, "territories")):
            entry = entries.get(value)
            if not entry:
                continue
            self._add_location(dataset_ref, entry)

    def _add_location(self, subject: Node, entry: dict[str, Any]) -> None:
        """``subject`` dct:spatial a territory: its URI, its names and its bounding box."""
        location = URIRef(_territory_uri(entry))
        self.g.add((subject, DCT.spatial, location))
        self.g.add((location, RDF.type, DCT.Location))
        self._add_translated(location, SKOS.prefLabel, entry["label"])
        if entry.get("code"):
            self.g.add((location, DCT.identifier, Literal(str(entry["code"]))))
        if entry.get("bbox"):
            self.g.add((location, DCAT.bbox,
                        Literal(_wkt_polygon(*entry["bbox"]), datatype=GSP_WKT)))

    def _territories(self, dataset_ref: Node) -> list[str]:
        by_uri = {_territory_uri(e): e["value"] for e in _vocabulary_or_empty("territories")}
        return sorted(
            by_uri[str(location)] for location in self.g.objects(dataset_ref, DCT.spatial)
            if str(location) in by_uri
        )

    def _parse_extent(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """``spatial`` from the one location with a geometry, not from the territories'.

        The base profile merges every dct:spatial into spatial_* extras; the
        territories are read back on their own, so only the extent remains.
        """
        spatial_keys = ("spatial", "spatial_uri", "spatial_text", "spatial_bbox",
                        "spatial_centroid")
        dataset_dict["extras"] = [
            e for e in dataset_dict.get("extras") or [] if e["key"] not in spatial_keys
        ]
        for location in self.g.objects(dataset_ref, DCT.spatial):
            geometry = self._parse_geodata(location, LOCN.geometry, None)
            if geometry:
                if p.plugin_loaded("quebec_schema"):
                    dataset_dict["spatial"] = geometry
                else:
                    dataset_dict["extras"].append({"key": "spatial", "value": geometry})
                return

    def _add_spatial(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """dcat:bbox (WKT) of the extent the base profile wrote as locn:geometry."""
        box = _geojson_bbox(_extra(dataset_dict, "spatial"))
        if not box:
            return
        for location in self.g.objects(dataset_ref, DCT.spatial):
            if (location, LOCN.geometry, None) in self.g and (location, DCAT.bbox, None) not in self.g:
                self.g.add((location, DCAT.bbox, Literal(box, datatype=GSP_WKT)))

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


        self._add_resource_type(distribution, resource_dict.get("resource_type"))
        self._add_data_dictionary(distribution, resource_dict.get("data_dictionary"))
        quality.add_compliance(g, distribution, resource_dict)
        if resource_dict.get("taille_entier") and (distribution, DCAT.byteSize, None) not in g:
            size = _megabytes_to_bytes(resource_dict["taille_entier"])
            if size is not None:
                g.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.decimal)))

        if licence and (distribution, DCT.license, None) not in g:
            g.add((distribution, DCT.license, URIRef(licence)))
            g.add((URIRef(licence), RDF.type, DCT.LicenseDocument))

    def _fix_byte_sizes(self) -> None:
        """dcat:byteSize as xsd:decimal, as the 3.0.0 shapes want.

        euro_dcat_ap_3 turns every byteSize of the graph, those of the
        datasets serialized before too, into xsd:nonNegativeInteger each time
        it serializes a dataset: undo it for the whole graph each time.
        """
        g = self.g
        for distribution, _predicate, size in list(g.triples((None, DCAT.byteSize, None))):
            if isinstance(size, Literal) and size.datatype != XSD.decimal:
                g.remove((distribution, DCAT.byteSize, size))
                g.add((distribution, DCAT.byteSize, Literal(str(size), datatype=XSD.decimal)))

    def _parse_distribution(self, resource_dict: dict[str, Any], dataset_dict: dict[str, Any]) -> None:
        distribution = URIRef(resource_dict.get("uri") or "")
        if (distribution, None, None) not in self.g:
            return
        for translated, core, predicate in _RESOURCE_TEXTS:
            texts = self._literals_by_language(distribution, predicate)
            if texts:
                resource_dict[translated] = texts
                resource_dict[core] = texts.get("fr") or next(iter(texts.values()))
        for concept in self.g.objects(distribution, DCT.type):
            notation = self._object(concept, SKOS.notation)
            if (concept, SKOS.inScheme, _resource_types_scheme()) in self.g and notation is not None:
                resource_dict["resource_type"] = str(notation)
        text, standards = self._data_dictionary(distribution)
        if text is not None:
            resource_dict["data_dictionary"] = text
        if standards and resource_dict.get("conforms_to"):
            # The base profile lists the standards by their node; blank nodes name nothing.
            kept = [value for value in _list(resource_dict["conforms_to"])
                    if value not in {str(node) for node in standards}]
            if kept:
                resource_dict["conforms_to"] = (json.dumps(kept) if isinstance(
                    resource_dict["conforms_to"], str) else kept)
            else:
                resource_dict.pop("conforms_to")
        resource_dict.update(quality.compliance_from_graph(self.g, distribution))
        if p.plugin_loaded("quebec_schema") and resource_dict.get("size"):
            resource_dict["taille_entier"] = _bytes_to_megabytes(resource_dict["size"])
        fmt = self._object(distribution, DCT["format"])
        entry = file_type(str(fmt)) if fmt is not None else None
        if entry:
            resource_dict["format"] = entry["value"]
        licence = self._object(distribution, DCT.license)
        if licence is not None:
            value = _value_of("licences", str(licence))
            if value:
                dataset_dict["license_id"] = value

    def _add_data_dictionary(self, distribution: Node, text: Any) -> None:
        """The data dictionary as the distribution's data schema (DCAT 3: ``dct:conformsTo`` a ``dct:Standard``).

        The text (Markdown, or a Table Schema in JSON) is the standard's
        ``dct:description``, as it is.
        """
        if not isinstance(text, str) or not text.strip():
            return
        standard = BNode()
        self.g.add((distribution, DCT.conformsTo, standard))
        self.g.add((standard, RDF.type, DCT.Standard))
        self._add_translated(standard, DCT.title, DATA_DICTIONARY_TITLE)
        self.g.add((standard, DCT.description, Literal(text)))

    def _data_dictionary(self, distribution: Node) -> tuple[str | None, list[Node]]:
        """The data dictionary's text, and the blank-node standards (which carry no URI to keep)."""
        text, standards = None, []
        for standard in self.g.objects(distribution, DCT.conformsTo):
            if isinstance(standard, BNode):
                standards.append(standard)
                description = self.g.value(standard, DCT.description)
                if description is not None and (standard, RDF.type, DCT.Standard) in self.g:
                    text = str(description)
        return text, standards

    def _add_resource_type(self, distribution: Node, value: str | None) -> None:
        """dct:type: the portal's resource type, matched to the EU distribution type."""
        labels = {lang: vocabularies.label("resource_types", value, lang) for lang in LANGUAGES} \
            if value else {}
        if not labels.get("fr"):
            return
        concept = URIRef(f"{_resource_types_scheme()}#{value}")
        self.g.add((distribution, DCT.type, concept))
        self.g.add((concept, RDF.type, SKOS.Concept))
        self.g.add((concept, SKOS.inScheme, _resource_types_scheme()))
        self.g.add((concept, SKOS.notation, Literal(value)))
        self._add_translated(concept, SKOS.prefLabel, labels)
        eu_type = next(
            (e["uri"] for e in _own_vocabulary("distribution_types") if e["value"] == value), None
        )
        if eu_type:
            self.g.add((concept, SKOS.exactMatch, URIRef(eu_type)))


def _vocabulary_or_empty(name: str) -> list[dict[str, Any]]:
    try:
        return vocabularies.get(name)
    except KeyError:
        return []


def _territory_uri(entry: dict[str, Any]) -> str:
    """A territory's Wikidata entity, or its entry in the portal's vocabulary."""
    return entry.get("uri") or (
        f"{config.site_url()}/api/3/action/quebec_vocabulary_list?name=territories"
        f"#{entry['value']}"
    )


# The partners (organizations) of the datasets being serialized, by id and by
# name. Profiles are created anew for each dataset; a catalogue page repeats
# the same few partners, read once for the page by partners_of().
_page_partners: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "quebec_dcat_page_partners", default=None
)


@contextlib.contextmanager
def partners_of(datasets: list[dict[str, Any]],
                cache: dict[str, Any] | None = None) -> Iterator[None]:
    """Within the block, the partners of ``datasets`` (and their umbrellas) are read in a few queries.

    ``cache`` (the partners already read, by id and name) is shared by the
    pages of one export, so that each partner is read once for all of them.
    """
    cache = {} if cache is None else cache
    names = {d["organization"]["name"] for d in datasets if d.get("organization")} - set(cache)
    while names:
        _fetch_partners(sorted(names), cache)
        names = set(umbrella_names_by_id(
            p["organisation_principale"] for p in cache.values()
            if p and p.get("organisation_principale")
        ).values()) - set(cache)
    # ckanext-dcat's profiles keep organizations in a class-wide cache that
    # never expires: give them this page's dicts.
    RDFProfile._org_cache.update({p["id"]: p for p in cache.values() if p})
    token = _page_partners.set(cache)
    try:
        yield
    finally:
        _page_partners.reset(token)


def _fetch_partners(names: list[str], cache: dict[str, Any]) -> None:
    fingerprints = _fingerprints(names)
    missing = []
    for name in names:
        known = _KNOWN_PARTNERS.get(fingerprints.get(name))
        if known is None:
            missing.append(name)
        else:
            organization = copy.deepcopy(known)
            cache[organization["id"]] = cache[organization["name"]] = organization
    for start in range(0, len(missing), 25):  # organization_list's all_fields limit
        chunk = missing[start:start + 25]
        found = tk.get_action("organization_list")(
            {"ignore_auth": True},
            {"organizations": chunk, "all_fields": True, "include_extras": True,
             "include_dataset_count": False, "include_member_count": False,
             "limit": len(chunk)},
        )
        for organization in found:
            organization = _flattened(organization)
            cache[organization["id"]] = cache[organization["name"]] = organization
            if organization["name"] in fingerprints:
                if len(_KNOWN_PARTNERS) >= _KNOWN_PARTNERS_MAX:
                    _KNOWN_PARTNERS.clear()
                _KNOWN_PARTNERS[fingerprints[organization["name"]]] = copy.deepcopy(organization)
        for name in set(chunk) - {o["name"] for o in found}:
            cache[name] = None


# The partners' dicts already read by this process, by fingerprint: the
# organization's row (its extras with it) as it is now, the site and the plugins.
# organization_show validates each one (a few ms each, some seventy a page);
# a partner that has not changed since is not read again.
_KNOWN_PARTNERS: dict[str, dict[str, Any]] = {}
_KNOWN_PARTNERS_MAX = 5000

# The organization's row; before CKAN 2.12, its extras were in group_extra.
_FINGERPRINTS = """
    SELECT g.name, md5(row_to_json(g)::text)
    FROM "group" g WHERE g.name = ANY(:names) AND g.is_organization
"""
_FINGERPRINTS_GROUP_EXTRA = """
    SELECT g.name, md5(row_to_json(g)::text || coalesce((
        SELECT string_agg(row_to_json(e)::text, ',' ORDER BY e.key, e.id)
        FROM group_extra e WHERE e.group_id = g.id), ''))
    FROM "group" g WHERE g.name = ANY(:names) AND g.is_organization
"""


def _fingerprints(names: list[str]) -> dict[str, str]:
    """Each organization's fingerprint, by name (organizations not found have none)."""
    import sqlalchemy as sa
    from ckan import model

    query = _FINGERPRINTS_GROUP_EXTRA if hasattr(model, "group_extra_table") else _FINGERPRINTS
    rows = model.Session.execute(sa.text(query), {"names": list(names)}).fetchall()
    setting = "|".join(str(value) for value in (
        config.site_url(), tk.config.get("ckan.plugins"), tk.config.get("ckan.locale_default")))
    return {name: f"{setting}|{digest}" for name, digest in rows}


def partner(name_or_id: str | None) -> dict[str, Any] | None:
    """A partner's organization dict with its schema fields at the top level, or None."""
    if not name_or_id:
        return None
    cache = _page_partners.get()
    if cache is not None and name_or_id in cache:
        return cache[name_or_id]
    try:
        organization = tk.get_action("organization_show")(
            {"ignore_auth": True},
            {"id": name_or_id, "include_datasets": False, "include_users": False,
             "include_groups": False, "include_tags": False, "include_followers": False},
        )
    except (tk.ObjectNotFound, tk.ValidationError):
        organization = None
    if cache is not None:
        cache[name_or_id] = organization
    return organization


def _flattened(organization: dict[str, Any]) -> dict[str, Any]:
    """organization_list's dict with its extras at the top level, as organization_show gives them."""
    organization = dict(organization)
    for extra in organization.pop("extras", None) or []:
        if isinstance(extra, dict) and extra.get("state", "active") == "active":
            organization.setdefault(extra["key"], extra["value"])
    return organization


def _resource_types_scheme() -> URIRef:
    """The portal's resource types, as the vocabulary action serves them."""
    return URIRef(f"{config.site_url()}/api/3/action/quebec_vocabulary_list?name=resource_types")


def _list(value: Any) -> list[str]:
    """A list field (maybe as JSON text, maybe one value) as a list of strings."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value or [] if v]


def _megabytes_to_bytes(value: Any) -> str | None:
    try:
        size = decimal.Decimal(str(value)) * 1_000_000
    except decimal.InvalidOperation:
        return None
    return str(size.quantize(decimal.Decimal(1)))


def _bytes_to_megabytes(value: Any) -> str | None:
    try:
        size = decimal.Decimal(str(value)) / 1_000_000
    except decimal.InvalidOperation:
        return None
    return format(size.normalize(), "f")


GSP_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")


def _wkt_polygon(west: float, south: float, east: float, north: float) -> str:
    """A bounding box as a WKT polygon, in shapely's order (so the same box reads the same)."""
    def number(value: float) -> str:
        return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(float(value))

    w, s, e, n = (number(v) for v in (west, south, east, north))
    return f"POLYGON (({e} {s}, {e} {n}, {w} {n}, {w} {s}, {e} {s}))"


def _geojson_bbox(value: Any) -> str | None:
    """The bounding box of a GeoJSON geometry (dict or text), as a WKT polygon."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict):
        return None
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    if value.get("type") == "GeometryCollection":
        for geometry in value.get("geometries") or []:
            walk(geometry.get("coordinates") if isinstance(geometry, dict) else None)
    else:
        walk(value.get("coordinates"))
    if not xs:
        return None
    return _wkt_polygon(min(xs), min(ys), max(xs), max(ys))


class QuebecSchemaOrgProfile(_TranslatedLiterals):
    """On top of ckanext-dcat's ``schemaorg``: names, descriptions and keywords in French and English.

    Search engines read the schema.org JSON-LD of dataset pages; the base
    profile only knows the core (French) title and description.
    """

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for key, predicate in (("title_translated", SCHEMA.name),
                               ("notes_translated", SCHEMA.description)):
            self._replace_translated(dataset_ref, predicate, _extra(dataset_dict, key))
        keywords = _extra(dataset_dict, "keywords")
        if isinstance(keywords, str):
            try:
                keywords = json.loads(keywords)
            except ValueError:
                keywords = None
        if isinstance(keywords, dict) and any(keywords.values()):
            self.g.remove((dataset_ref, SCHEMA.keywords, None))
            for lang, words in keywords.items():
                for word in words or []:
                    self.g.add((dataset_ref, SCHEMA.keywords, Literal(word, lang=lang)))
        organization = partner((dataset_dict.get("organization") or {}).get("id")) or {}
        names = _translated(organization.get("title_translated"))
        for publisher in self.g.objects(dataset_ref, SCHEMA.publisher):
            if names:
                self.g.remove((publisher, SCHEMA.name, None))
                self._add_translated(publisher, SCHEMA.name, names)
        for resource_dict in dataset_dict.get("resources") or []:
            distribution = URIRef(resource_uri(resource_dict))
            if (distribution, None, None) in self.g:
                self._replace_translated(distribution, SCHEMA.name,
                                         resource_dict.get("name_translated"))
        for code in str(_extra(dataset_dict, "language") or "").split("_"):
            if code.lower() in LANGUAGES:
                self.g.add((dataset_ref, SCHEMA.inLanguage, Literal(code.lower())))
