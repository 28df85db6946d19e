"""The suite's features on a real Solr node: both languages, facets on lists, ext_bbox."""
from __future__ import annotations

import json

import pysolr
import pytest

from ckan.lib.search.common import make_connection
from ckan.tests import factories, helpers

from tests.schema.test_dataset_api import dataset_dict
from tests.search.test_spatial import EXTENTS, MONTREAL_ISLAND, SOUTH_SHORE_TO_QUEBEC, _polygon, expected_names

pytestmark = pytest.mark.search_backend("solr")

SCHEMA_PLUGINS = "scheming_datasets scheming_organizations quebec_schema"


def search(**params) -> dict:
    return helpers.call_action("package_search", **params)


def found(**params) -> list[str]:
    return sorted(dataset["name"] for dataset in search(**params)["results"])


@pytest.fixture
def catalogue(with_plugins, clean_db):
    """Three bilingual datasets, with lists of categories and territories."""
    organization = factories.Organization(name="ville-de-montreal")
    for name, title, categories, territories in (
            ("ecoles", {"fr": "Écoles primaires de l'île", "en": "Primary schools of the island"},
             ["education-recherche"], ["municipalite-montreal"]),
            ("pistes", {"fr": "Pistes cyclables", "en": "Bike paths"},
             ["infrastructures", "education-recherche"], ["municipalite-laval", "municipalite-montreal"]),
            ("parcs", {"fr": "Parcs de Québec", "en": "Québec City parks"},
             ["environnement-ressources-naturelles-energie"], ["municipalite-quebec"])):
        helpers.call_action("package_create", **dataset_dict(
            organization["id"], name=name, title_translated=title, categories=categories,
            territories=territories))


@pytest.mark.ckan_config("ckan.plugins", SCHEMA_PLUGINS)
class TestBilingual:
    def test_french_plural_and_accents_fold_and_stem(self, catalogue):
        assert isinstance(make_connection(), pysolr.Solr)
        assert found(q="ecole") == ["ecoles"]
        assert found(q="Écoles") == ["ecoles"]
        assert found(q="title_translated_fr:ile") == ["ecoles"]
        assert found(q="title_translated_fr:quebec") == ["parcs"]

    def test_english_words_are_found_too(self, catalogue):
        assert found(q="school") == ["ecoles"]
        assert found(q="title_translated_en:path") == ["pistes"]
        assert found(q="hopital") == []

    def test_lists_facet_and_filter_value_by_value(self, catalogue):
        result = search(**{"facet.field": json.dumps(["categories", "territories"]), "rows": 0})
        categories = result["facets"]["categories"]
        assert categories == {"education-recherche": 2, "infrastructures": 1,
                              "environnement-ressources-naturelles-energie": 1}
        territories = result["facets"]["territories"]
        # a municipality's datasets are found by its region and the province (ancestors)
        assert territories["municipalite-montreal"] == 2 and territories["quebec"] == 3
        assert found(fq="territories:municipalite-laval") == ["pistes"]
        assert found(fq='categories:"education-recherche"') == ["ecoles", "pistes"]


@pytest.mark.ckan_config("ckan.plugins", "spatial_metadata spatial_query")
@pytest.mark.ckan_config("ckanext.spatial.search_backend", "solr-bbox")
@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", ["frange"])
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_ext_bbox_finds_overlapping_envelopes_best_first():
    for name, extent in EXTENTS.items():
        factories.Dataset(name=name, extras=[{"key": "spatial", "value": _polygon(*extent)}])
    factories.Dataset(name="sans-etendue")
    for bbox in (MONTREAL_ISLAND, SOUTH_SHORE_TO_QUEBEC):
        result = search(extras={"ext_bbox": bbox})
        assert [dataset["name"] for dataset in result["results"]] == expected_names(bbox)
    assert len(expected_names(SOUTH_SHORE_TO_QUEBEC)) > 2


@pytest.mark.ckan_config("ckan.plugins", SCHEMA_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_detailed_geographic_coverage_is_indexed():
    # Under Solr's catch-all string field a GeoJSON over 32 KB was refused ("immense term").
    ring = [[-73.6 + index / 20000, 45.5 + (index % 7) / 1000] for index in range(3000)] + [[-73.6, 45.5]]
    organization = factories.Organization()
    helpers.call_action("package_create", **dataset_dict(
        organization["id"], spatial={"type": "Polygon", "coordinates": [ring]}))
    assert found(q="cyclables") == ["pistes-cyclables"]
