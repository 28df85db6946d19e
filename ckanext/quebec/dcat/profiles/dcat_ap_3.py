"""The quebec_dcat_ap_3 RDF profile: the portal's fields in DCAT-AP 3, valid against its SHACL shapes.

It runs after ckanext-dcat's ``euro_dcat_ap_3`` profile
(``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 quebec_dcat_ap_3``): the base
profile writes the core fields, this one replaces what the DCAT-AP 3.0.0 shapes
reject (codes and names written as literals where a resource is expected) and
adds the portal's own fields, in French and English. Fields of the bilingual
schema (``title_translated``, ``keywords``, ``update_frequency``...) are used
when the dataset has them; core fields (``title``, ``notes``, ``tags``)
otherwise. Parsing reads back what serializing writes. Each subject is a
mixin of its own module.
"""
from __future__ import annotations

from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF

from .. import config
from .base import _extra, _uri_of
from .dataset import DatasetMixin
from .distribution import DistributionMixin
from .publisher import PublisherMixin
from .related import RelatedMixin

# The languages of the catalogue itself: the portal is bilingual.
CATALOG_LANGUAGES = ("FR", "EN")


class QuebecDCATAP3Profile(DatasetMixin, PublisherMixin, DistributionMixin, RelatedMixin):
    """Fixes and completes ``euro_dcat_ap_3`` for the portal; see the module docstring."""

    # Serializing

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        self._add_texts(dataset_dict, dataset_ref)
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
        self._add_quality(dataset_dict, dataset_ref)
        self._add_related(dataset_dict, dataset_ref)
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
        self._parse_dataset_fields(dataset_dict, dataset_ref)
        self._parse_spatial(dataset_dict, dataset_ref)
        self._parse_publisher(dataset_dict, dataset_ref)
        self._parse_quality(dataset_dict, dataset_ref)
        for resource_dict in dataset_dict.get("resources") or []:
            self._parse_distribution(resource_dict, dataset_dict)
        self._parse_related(dataset_dict)
        self._clean_parsed(dataset_dict)
        return dataset_dict
