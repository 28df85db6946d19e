"""The quebec_schemaorg RDF profile: schema.org structured data in French and English."""
from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from ckanext.dcat.profiles import SCHEMA
from ckanext.dcat.utils import resource_uri

from ckanext.quebec.schema import jsonvalue

from .base import LANGUAGES, _TranslatedLiterals, _extra, _translated
from .partners import partner


class QuebecSchemaOrgProfile(_TranslatedLiterals):
    """On top of ckanext-dcat's ``schemaorg``: names, descriptions and keywords in French and English.

    Search engines read the schema.org JSON-LD of dataset pages; the base
    profile only knows the core (French) title and description.
    """

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for key, predicate in (("title_translated", SCHEMA.name),
                               ("notes_translated", SCHEMA.description)):
            self._replace_translated(dataset_ref, predicate, _extra(dataset_dict, key))
        keywords = jsonvalue.from_json(_extra(dataset_dict, "keywords"), invalid=None)
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
