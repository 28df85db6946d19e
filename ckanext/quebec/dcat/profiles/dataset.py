"""The dataset's own fields: texts, keywords, methodology, languages, categories, dates, contact."""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

import ckan.plugins as p

from ckanext.dcat.profiles import DCAT, DCT, RDF, RDFS, SKOS, VCARD

from ckanext.quebec.schema import jsonvalue, vocabularies

from .. import compat_dcat, config
from .base import (LANGUAGES, _DATASET_TEXTS, _TranslatedLiterals, _entry_uris, _extra, _list,
                   _translated, _uri_of, _value_of, _vocabulary_index, eu_theme_labels, mailto,
                   note_unmapped, without_mailto)

# EU access-right vocabulary: what a public dataset of the portal has.
PUBLIC_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


class DatasetMixin(_TranslatedLiterals):
    """The dataset's own fields, written and read back."""

    # Serializing

    def _add_texts(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for translated, _core, predicate in _DATASET_TEXTS:
            self._replace_translated(dataset_ref, predicate, _extra(dataset_dict, translated))

    def _add_public_access_rights(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """A public dataset without stated access rights gets the EU vocabulary's PUBLIC.

        quebec_quality's MQA score counts a public dataset's access rights as
        given; harvesters scoring the feed then find them too.
        """
        if dataset_dict.get("private") or self.g.value(dataset_ref, DCT.accessRights) is not None:
            return
        rights = URIRef(PUBLIC_ACCESS_RIGHTS)
        self.g.add((dataset_ref, DCT.accessRights, rights))
        self.g.add((rights, RDF.type, DCT.RightsStatement))

    def _add_keywords(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        keywords = jsonvalue.from_json(_extra(dataset_dict, "keywords"), invalid=None)
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
            notation = self.g.value(concept, SKOS.notation)
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
            compat_dcat.add_date_triple(self, period, DCAT.startDate, start)
        if end:
            compat_dcat.add_date_triple(self, period, DCAT.endDate, end)

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
                self.g.set((contact, VCARD.hasEmail, URIRef(mailto(email))))

    # Parsing

    def _parse_dataset_fields(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The dataset's own fields, in ``dataset_dict``."""
        self._parse_texts(dataset_dict, dataset_ref)
        self._parse_keywords(dataset_dict, dataset_ref)
        for statement in self.g.objects(dataset_ref, DCT.provenance):
            texts = self._literals_by_language(statement, RDFS.label)
            if texts:
                dataset_dict["methodologie_translated"] = texts
        language = self._language_value(set(map(str, self.g.objects(dataset_ref, DCT.language))))
        if language:
            dataset_dict["language"] = language
        self._parse_categories(dataset_dict, dataset_ref)
        frequency = self.g.value(dataset_ref, DCT.accrualPeriodicity)
        if frequency is not None:
            value = _value_of("update_frequencies", str(frequency))
            if value:
                dataset_dict["update_frequency"] = value
            else:
                note_unmapped(dataset_dict, "update_frequencies", str(frequency))
        self._parse_temporal(dataset_dict, dataset_ref)
        self._parse_contact(dataset_dict, dataset_ref)

    def _parse_texts(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for translated, core, predicate in _DATASET_TEXTS:
            texts = self._literals_by_language(dataset_ref, predicate)
            if texts:
                dataset_dict[translated] = texts
                dataset_dict[core] = texts.get("fr") or next(iter(texts.values()))

    def _parse_keywords(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        keywords: dict[str, list[str]] = {}
        for literal in self.g.objects(dataset_ref, DCAT.keyword):
            if getattr(literal, "language", None) in LANGUAGES:
                keywords.setdefault(literal.language, []).append(str(literal))
        if keywords:
            dataset_dict["keywords"] = {lang: sorted(words) for lang, words in keywords.items()}

    def _parse_categories(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        groups = self._groups(dataset_ref)
        self._note_unmapped_themes(dataset_dict, dataset_ref, groups)
        if groups and p.plugin_loaded("quebec_schema"):
            dataset_dict["categories"] = groups
        elif groups:
            dataset_dict["groups"] = [{"name": name} for name in groups]

    def _note_unmapped_themes(self, dataset_dict: dict[str, Any], dataset_ref: Node,
                              groups: list[str]) -> None:
        """Themes that are no category: an unknown notation, or a URI that is no category's EU theme."""
        eu_themes = {entry.get("eu_theme") for entry in _vocabulary_index("categories").values()}
        for concept in self.g.objects(dataset_ref, DCAT.theme):
            notation = self.g.value(concept, SKOS.notation)
            if notation is not None and str(notation) not in groups:
                note_unmapped(dataset_dict, "categories", str(notation))
            elif notation is None and isinstance(concept, URIRef) and str(concept) not in eu_themes:
                note_unmapped(dataset_dict, "categories", str(concept))

    def _parse_temporal(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for period in self.g.objects(dataset_ref, DCT.temporal):
            for key, predicate in (("temporal_start", DCAT.startDate), ("temporal_end", DCAT.endDate)):
                value = self.g.value(period, predicate)
                if value is not None:
                    dataset_dict[key] = str(value)

    def _parse_contact(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            name = self.g.value(contact, VCARD.fn)
            email = self.g.value(contact, VCARD.hasEmail)
            if name is not None:
                dataset_dict["author"] = str(name)
            if email is not None:
                dataset_dict["author_email"] = without_mailto(str(email))

    def _clean_parsed(self, dataset_dict: dict[str, Any]) -> None:
        """Drops what the portal does not store, and the extras moved to the top level."""
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
