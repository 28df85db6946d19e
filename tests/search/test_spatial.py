"""ckanext-spatial's spatial_query (solr-bbox) on quebec_search: bbox filter and overlap ranking."""
from __future__ import annotations

import json

import pytest

from ckan.lib.search import SearchError
from ckan.tests import factories, helpers

from ckanext.quebec.search import spatial
from ckanext.quebec.search.lucene import Params, QuerySyntaxError

from .helpers import index_documents

# Read-only classes share one catalogue, built with these plugins (shared_db).
pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "quebec_search spatial_metadata spatial_query"),
    pytest.mark.ckan_config("ckanext.spatial.search_backend", "solr-bbox"),
    # spatial_query allows {!frange} when its plugin loads, but CKAN's
    # ckan_config fixture restores the configuration after every test, and
    # the catalogue's plugins are loaded once for the class (shared_db).
    pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", ["frange"]),
]

# Envelopes (minx, miny, maxx, maxy), in degrees.
EXTENTS = {
    "montreal": (-73.98, 45.41, -73.47, 45.70),
    "ville-de-quebec": (-71.55, 46.73, -71.13, 46.98),
    "gaspesie": (-66.50, 48.00, -64.20, 49.30),
    "province": (-79.76, 44.99, -57.10, 62.59),
}
MONTREAL_ISLAND = "-74.0,45.3,-73.4,45.8"
SOUTH_SHORE_TO_QUEBEC = "-74.5,45.0,-70.5,47.5"


def _polygon(minx, miny, maxx, maxy) -> str:
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def overlap_ratio(extent, bbox: str) -> float:
    """solr-bbox's ranking function: 2 × intersection ÷ (query area + envelope area)."""
    minx, miny, maxx, maxy = (float(value) for value in bbox.split(","))
    width = max(0.0, min(maxx, extent[2]) - max(minx, extent[0]))
    height = max(0.0, min(maxy, extent[3]) - max(miny, extent[1]))
    areas = (maxx - minx) * (maxy - miny) + (extent[2] - extent[0]) * (extent[3] - extent[1])
    return 2 * width * height / areas


def expected_names(bbox: str) -> list[str]:
    ratios = {name: overlap_ratio(extent, bbox) for name, extent in EXTENTS.items()}
    return sorted((name for name, ratio in ratios.items() if ratio > 0),
                  key=lambda name: -ratios[name])


def bbox_search(bbox: str, **params) -> dict:
    return helpers.call_action("package_search", extras={"ext_bbox": bbox}, **params)


def names(result: dict) -> list[str]:
    return [dataset["name"] for dataset in result["results"]]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    """Four areas of Québec, a point (never found by solr-bbox) and a dataset without extent."""
    titles = {"montreal": "Parcs de Montréal", "ville-de-quebec": "Parcs de Québec",
              "gaspesie": "Sentiers de la Gaspésie", "province": "Limites du Québec"}
    for name, extent in EXTENTS.items():
        notes = "parcs" if "Parcs" in titles[name] else ""
        factories.Dataset(name=name, title=titles[name], notes=notes,
                          extras=[{"key": "spatial", "value": _polygon(*extent)}])
    factories.Dataset(name="sherbrooke", title="Sherbrooke", extras=[
        {"key": "spatial", "value": json.dumps({"type": "Point", "coordinates": [-71.9, 45.4]})}])
    factories.Dataset(name="sans-etendue", title="Sans étendue")


@pytest.mark.usefixtures("catalogue")
class TestBBoxSearch:
    def test_envelopes_are_indexed_as_numbers_without_the_geometry(self):
        fields = index_documents()["montreal"]["fields"]
        assert [float(fields[key][0]) for key in ("minx", "miny", "maxx", "maxy")] == list(
            EXTENTS["montreal"])
        assert "extras_spatial" not in fields and "spatial" not in fields

    @pytest.mark.parametrize("bbox", [MONTREAL_ISLAND, SOUTH_SHORE_TO_QUEBEC,
                                      "-67,47.5,-64,49.5", "-57.5,50,-56,52.5"])
    def test_finds_exactly_the_overlapping_datasets_ranked_by_overlap(self, bbox):
        result = bbox_search(bbox)
        assert names(result) == expected_names(bbox)
        assert result["count"] == len(expected_names(bbox))

    def test_montreal_island_ranks_montreal_before_the_province(self):
        assert names(bbox_search(MONTREAL_ISLAND)) == ["montreal", "province"]

    def test_a_bbox_outside_quebec_finds_nothing(self):
        assert bbox_search("-85,42,-81,44")["count"] == 0

    def test_a_bbox_touching_an_edge_only_finds_nothing(self):
        # Overlap 0 is excluded (frange incl=false), as on Solr.
        assert "gaspesie" not in names(bbox_search("-64.2,48,-63,49"))

    def test_points_and_datasets_without_extent_are_never_found(self):
        found = names(bbox_search("-180,-90,180,90"))
        assert sorted(found) == sorted(EXTENTS)

    def test_words_and_bbox_combine(self):
        result = bbox_search(SOUTH_SHORE_TO_QUEBEC, q="parcs")
        assert sorted(names(result)) == ["montreal", "ville-de-quebec"]

    def test_filters_and_bbox_combine(self):
        result = bbox_search(SOUTH_SHORE_TO_QUEBEC, fq="name:montreal OR name:gaspesie")
        assert names(result) == ["montreal"]

    def test_explicit_sort_wins_over_overlap(self):
        result = bbox_search(SOUTH_SHORE_TO_QUEBEC, sort="name asc")
        assert names(result) == sorted(expected_names(SOUTH_SHORE_TO_QUEBEC))

    def test_a_longitude_beyond_180_wraps_as_spatial_does(self):
        # spatial shifts the bbox by 360° until minx is within [-180, 180].
        assert names(bbox_search("286,45.3,286.6,45.8")) == ["montreal", "province"]

    def test_facets_count_the_bbox_results(self):
        result = bbox_search(MONTREAL_ISLAND, **{"facet.field": ["name"]})
        assert {item["name"] for item in result["search_facets"]["name"]["items"]} == {
            "montreal", "province"}

    def test_a_wrong_bbox_is_spatials_search_error(self):
        with pytest.raises(SearchError, match="Wrong bounding box"):
            bbox_search("-10,-20,10,a")

    def test_api(self, app):
        response = app.get("/api/3/action/package_search",
                           query_string={"ext_bbox": MONTREAL_ISLAND})
        assert response.status_code == 200
        assert names(response.json["result"]) == ["montreal", "province"]

    def test_api_wrong_bbox_is_409(self, app):
        response = app.get("/api/3/action/package_search",
                           query_string={"ext_bbox": "1,2,3"})
        assert response.status_code == 409
        assert "Wrong bounding box" in response.json["error"]["message"]

    @pytest.mark.parametrize("fq", [
        "{!frange l=0 u=1}div(1,",
        "{!frange l=0 u=1}recip(minx,1,2,3)",
        "{!frange l=0 u=1 x=1}minx",
        "{!frange l=a u=1}minx",
        "{!frange l=0 u=1}minx;DROP TABLE package",
        "{!frange l=0 u=1}sub(minx)",
    ])
    def test_api_bad_function_query_is_409(self, app, fq):
        # Plugins pass function queries in fq_list (CKAN prefixes a user's fq
        # with +capacity:public, which local params refuse, as on Solr).
        response = app.post("/api/3/action/package_search", json={"fq_list": [fq]})
        assert response.status_code == 409
        assert response.json["error"]["__type"] == "Search Error"

    def test_api_function_range_on_a_field(self, app):
        # Any frange works, not only the one spatial sends.
        response = app.post("/api/3/action/package_search",
                            json={"fq_list": ["{!frange l=48 u=48.5}miny"]})
        assert names(response.json["result"]) == ["gaspesie"]

    def test_a_users_fq_with_local_params_is_refused_by_ckan(self, app):
        response = app.get("/api/3/action/package_search",
                           query_string={"fq": "{!frange l=0 u=1}minx"})
        assert response.status_code == 409

    def test_search_page(self, app):
        response = app.get("/dataset/", query_string={"ext_bbox": MONTREAL_ISLAND})
        assert response.status_code == 200
        assert "Parcs de Montréal" in response.body
        assert "Sentiers de la Gaspésie" not in response.body

    def test_search_page_wrong_bbox_is_ckans_search_error_page(self, app):
        # CKAN shows its "error while searching" page for a SearchError.
        response = app.get("/dataset/", query_string={"ext_bbox": "a,b,c,d"})
        assert response.status_code == 200
        assert "Parcs de Montréal" not in response.body


class TestFunctionQueries:
    """Compiling function queries, without a database."""

    def test_the_solr_bbox_function_is_recognized_for_its_prefilter(self):
        function = ("div(mul(mul(max(0,sub(min(-73.4,maxx),max(-74.0,minx))),"
                    "max(0,sub(min(45.8,maxy),max(45.3,miny)))),2),"
                    "add(0.3,mul(sub(maxy,miny),sub(maxx,minx))))")
        params = Params()
        sql = spatial.function_range_condition(
            "{!frange incl=false l=0 u=1}" + function, params)
        assert "quebec_search_bbox(d.fields) &&" in sql
        assert -74.0 in params.values.values() and 45.8 in params.values.values()

    def test_other_functions_have_no_prefilter(self):
        sql = spatial.function_range_condition("{!frange l=0 u=1}sum(minx,1)", Params())
        assert "quebec_search_bbox" not in sql

    def test_values_and_field_names_are_bound(self):
        params = Params()
        sql = spatial.boost_expression("sum(minx,12.5)^2", params)
        assert "minx" not in sql and "12.5" not in sql
        assert set(params.values.values()) == {"minx", 12.5, 2.0}

    def test_boost_functions_are_added_and_weighted(self):
        params = Params()
        sql = spatial.boost_expression("sum(minx, 1)  max(maxx,2)^0.5", params)
        assert sql.startswith("(SELECT v.value FROM (SELECT COALESCE(") and " + (COALESCE(" in sql
        # minx and maxx, each read once
        assert sql.count("quebec_search_try_number(") == 2
        assert 0.5 in params.values.values()

    def test_the_document_fields_are_decompressed_once_per_function(self):
        """solr-bbox's function reads four fields, eight times: the document's
        fields are decompressed once for all of them (eight times, 3 ms of a
        10,000-dataset search), each field is made a number once, and the
        function computed once for both bounds of the range."""
        function = ("div(mul(mul(max(0,sub(min(-73.3,maxx),max(-74.0,minx))),"
                    "max(0,sub(min(45.8,maxy),max(45.3,miny)))),2),"
                    "add(0.35,mul(sub(maxy,miny),sub(maxx,minx))))")
        condition = spatial.function_range_condition(
            "{!frange incl=false l=0 u=1}" + function, Params())
        boost = spatial.boost_expression(function, Params())
        # the bbox prefilter (its index) and the function's one read
        assert condition.count("d.fields") == 2 and boost.count("d.fields") == 1
        for sql in (condition, boost):
            assert sql.count("quebec_search_try_number(") == 4
            assert sql.count("GREATEST(") == 4  # the function's four max(), once

    @pytest.mark.parametrize("function", ["", "div(1,2", "div(1,2))", "foo(1,2)", "max(1)",
                                          "1 2", "min(1,'a')", "1e999", "x;y"])
    def test_bad_functions(self, function):
        with pytest.raises(QuerySyntaxError):
            spatial.function_range_condition("{!frange l=0 u=1}" + function, Params())
