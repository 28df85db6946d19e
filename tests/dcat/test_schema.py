"""The Québec schema's fields (dataset, resource, partner, quality) in the feeds: valid, and read back."""
from __future__ import annotations

import json
from typing import Any

import pytest
from rdflib import Literal, URIRef

from ckan.tests import helpers
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, SKOS

from ckanext.quebec.dcat import quality

from . import schema_datasets, shacl
from .test_round_trip import PROFILES, _round_trip
from .test_shacl import get, report

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", schema_datasets.SERVED_PLUGINS),
]

ADMS_REGIONAL = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")


@pytest.fixture
def dataset():
    partners = schema_datasets.partners()
    return schema_datasets.create(partners["mtq"]["id"])


def _with_quality(dataset: dict[str, Any]) -> dict[str, Any]:
    return dict(dataset, **{quality.KEY: schema_datasets.QUALITY})


def test_served_feeds_have_no_violation(app, dataset):
    assert report(get(app, f"/dataset/{dataset['id']}.ttl")) == []
    assert report(get(app, "/catalog.ttl")) == []


def test_quality_and_every_field_have_no_violation(dataset):
    serializer = RDFSerializer(profiles=PROFILES)
    graph = shacl.graph_of(serializer.serialize_catalog({}, [_with_quality(dataset)], _format="turtle"))
    assert report(graph) == []


def test_publisher_is_the_translated_partner_with_its_type(dataset):
    graph = shacl.graph_of(RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle"))
    (publisher,) = graph.objects(None, DCT.publisher)
    names = set(graph.objects(publisher, FOAF.name))
    assert names == {Literal("Ministère des Transports", lang="fr"),
                     Literal("Ministry of Transport", lang="en")}
    assert list(graph.objects(publisher, DCT.type)) == [ADMS_REGIONAL]
    assert list(graph.objects(publisher, FOAF.homepage)) == [
        URIRef("https://www.transports.gouv.qc.ca/")]


def test_spatial_coverage_has_geometry_and_bbox(dataset):
    graph = shacl.graph_of(RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle"))
    boxes = {str(location): str(graph.value(location, DCAT.bbox))
             for location in graph.objects(None, DCT.spatial)}
    province = "http://www.wikidata.org/entity/Q176"
    assert boxes.pop(province) == (
        "POLYGON ((-57.1 44.99, -57.1 62.59, -79.77 62.59, -79.77 44.99, -57.1 44.99))")
    assert graph.value(URIRef(province), SKOS.prefLabel) is not None
    region = next(uri for uri in boxes if uri.endswith("#region-bas-saint-laurent"))
    assert boxes.pop(region).startswith("POLYGON ((-67.1 47.3")
    # The dataset's own GeoJSON extent: its geometry and bounding box.
    (extent,) = boxes
    assert boxes[extent] == (
        "POLYGON ((-73.4 45.4, -73.4 45.7, -73.9 45.7, -73.9 45.4, -73.4 45.4))")


@pytest.mark.parametrize("rdf_format", ["turtle", "xml", "json-ld"])
def test_every_schema_field_comes_back(dataset, rdf_format):
    parsed = _round_trip(_with_quality(dataset), rdf_format)

    for key in (
        "title_translated", "notes_translated", "methodologie_translated", "categories",
        "territories",
        "organisation_principale", "update_frequency", "temporal_start", "temporal_end",
        "language", "license_id", "author", "author_email", "url",
    ):
        assert parsed[key] == dataset[key], key
    assert {lang: sorted(words) for lang, words in parsed["keywords"].items()} == {
        lang: sorted(words) for lang, words in dataset["keywords"].items()
    }
    assert json.loads(parsed["spatial"]) == json.loads(dataset["spatial"])
    assert parsed[quality.KEY] == schema_datasets.QUALITY

    resources = {r["uri"].rsplit("/", 1)[-1]: r for r in parsed["resources"]}
    for resource in dataset["resources"]:
        back = resources[resource["id"]]
        for key in ("name_translated", "description_translated", "resource_type", "format",
                    "url", "taille_entier", *schema_datasets.RESOURCE_QUALITY_FIELDS):
            assert back.get(key) == resource.get(key), key
        assert "conforms_to" not in back

    partner = helpers.call_action("organization_show", id=dataset["owner_org"])
    assert parsed["organization"] == {
        "title_translated": partner["title_translated"],
        **{key: partner[key] for key in schema_datasets.PARTNER_FIELDS},
    }


def test_parsed_dataset_is_accepted_by_the_schema(dataset):
    """What the parser gives back can be created again as it is (the importer relies on it)."""
    parsed = _round_trip(dataset, "turtle")
    parsed.pop(quality.KEY, None)
    parsed.update(name="pistes-cyclables-copie", owner_org=dataset["owner_org"])
    created = helpers.call_action("package_create", **parsed)
    for key in ("title_translated", "categories", "update_frequency", "organisation_principale"):
        assert created[key] == dataset[key], key


def test_no_quality_key_no_measurement(dataset):
    graph = shacl.graph_of(RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle"))
    (dataset_ref,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert not list(graph.objects(dataset_ref, quality.DQV.hasQualityMeasurement))
    # The distributions' measurements are the guideline answers only.
    metrics = {str(graph.value(m, quality.DQV.isMeasurementOf)).rsplit("#", 1)[-1]
               for m in graph.objects(None, quality.DQV.hasQualityMeasurement)}
    assert metrics == set(schema_datasets.RESOURCE_QUALITY_FIELDS) - {"data_dictionary"}


def test_a_public_dataset_states_public_access_and_reads_back_without_it(dataset):
    public = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    graph = shacl.graph_of(RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle"))
    assert list(graph.objects(None, DCT.accessRights)) == [public]
    assert (public, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            DCT.RightsStatement) in graph

    parsed = _round_trip(dataset, "turtle")
    assert "access_rights" not in parsed
    assert all(extra["key"] != "access_rights" for extra in parsed.get("extras", []))

    private = dict(dataset, private=True)
    graph = shacl.graph_of(RDFSerializer(profiles=PROFILES).serialize_dataset(private, _format="turtle"))
    assert list(graph.objects(None, DCT.accessRights)) == []
