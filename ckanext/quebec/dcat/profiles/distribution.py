"""Distributions: texts, format, type, data dictionary, size, licence."""
from __future__ import annotations

import decimal
import functools
import json
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

import ckan.plugins as p

from ckanext.dcat.profiles import DCAT, DCT, RDF, SKOS, XSD
from ckanext.dcat.utils import resource_uri

from ckanext.quebec.schema import vocabularies

from .. import config, quality
from .base import (LANGUAGES, _RESOURCE_TEXTS, _TranslatedLiterals, _list, _own_vocabulary, _value_of,
                   note_unmapped)

DATA_DICTIONARY_TITLE = {"fr": "Dictionnaire de données", "en": "Data dictionary"}


def _file_types() -> list[dict[str, Any]]:
    return _own_vocabulary("file_types")


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


def _resource_types_scheme() -> URIRef:
    """The portal's resource types, as the vocabulary action serves them."""
    return URIRef(f"{config.site_url()}/api/3/action/quebec_vocabulary_list?name=resource_types")


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



class DistributionMixin(_TranslatedLiterals):
    """The distributions of the dataset, written and read back."""

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
            notation = self.g.value(concept, SKOS.notation)
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
        fmt = self.g.value(distribution, DCT["format"])
        entry = file_type(str(fmt)) if fmt is not None else None
        if entry:
            resource_dict["format"] = entry["value"]
        licence = self.g.value(distribution, DCT.license)
        if licence is not None:
            value = _value_of("licences", str(licence))
            if value:
                dataset_dict["license_id"] = value
            else:
                note_unmapped(dataset_dict, "licences", str(licence))

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
