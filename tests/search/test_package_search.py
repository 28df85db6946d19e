"""package_search answered from PostgreSQL: words, filters, paging, sorting, facets."""
from __future__ import annotations

import json

import pytest

from ckan.tests import factories, helpers

# Read-only classes share one catalogue, built with these plugins (shared_db).
pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]

# The facets of CKAN's default search page.
DEFAULT_FACETS = ["organization", "groups", "tags", "res_format", "license_id"]


def _csv(name: str) -> dict:
    return {"url": f"http://example.com/{name}.csv", "format": "CSV", "name": name}


@pytest.fixture(scope="class")
def catalogue(shared_db):
    """Five public datasets with known words, owners, tags, groups and formats."""
    city = factories.Organization(name="ville-de-quebec", title="Ville de Québec")
    ministry = factories.Organization(name="ministere-transports", title="Transports")
    transport = factories.Group(name="transport")
    environment = factories.Group(name="environnement")

    def dataset(name, title, notes, org, tags, groups, license_id, resources, **extra):
        return factories.Dataset(
            name=name, title=title, notes=notes, owner_org=org["id"],
            tags=[{"name": tag} for tag in tags],
            groups=[{"name": group["name"]} for group in groups],
            license_id=license_id, resources=resources, **extra)

    datasets = {
        "pistes-cyclables": dataset(
            "pistes-cyclables", "Pistes cyclables", "Réseau des vélos de la ville.",
            city, ["vélo", "transport"], [transport], "cc-by",
            [_csv("pistes"), _csv("pistes-2021"),
             {"url": "http://example.com/p.geojson", "format": "GeoJSON"}]),
        "inspection-ponts": dataset(
            "inspection-ponts", "Inspection des ponts", "Inspection of the city bridges.",
            ministry, ["ponts", "transport"], [transport], "odc-odbl", [_csv("ponts")]),
        "qualite-air": dataset(
            "qualite-air", "Qualité de l'air", "Mesures quotidiennes des stations.",
            city, ["air", "environnement"], [environment], "cc-by",
            [{"url": "http://example.com/air.json", "format": "JSON"}]),
        "arbres-publics": dataset(
            "arbres-publics", "Arbres publics", "Inventaire des arbres.",
            ministry, ["arbres", "environnement"], [environment, transport], "cc-zero", []),
        "zones-inondables": dataset(
            "zones-inondables", "Zones inondables", "Cartographie des Données de crues.",
            city, ["environnement"], [], "cc-by", [_csv("zones")], type="carte"),
    }
    return {"datasets": datasets, "city": city, "ministry": ministry}


def search(**params) -> dict:
    return helpers.call_action("package_search", **params)


def names(result: dict) -> set[str]:
    return {dataset["name"] for dataset in result["results"]}


@pytest.mark.usefixtures("catalogue")
class TestWords:
    def test_no_query_returns_every_active_public_dataset(self):
        result = search()
        assert result["count"] == 5
        assert len(result["results"]) == 5

    def test_results_are_the_validated_datasets(self, catalogue):
        result = search(q="cyclables")
        assert [d["id"] for d in result["results"]] == [
            catalogue["datasets"]["pistes-cyclables"]["id"]]
        dataset = result["results"][0]
        assert dataset["organization"]["name"] == "ville-de-quebec"
        assert len(dataset["resources"]) == 3

    def test_every_word_must_match(self):
        assert names(search(q="inspection ponts")) == {"inspection-ponts"}
        assert search(q="inspection vélos")["count"] == 0

    @pytest.mark.parametrize("query, expected", [
        ("velos", "pistes-cyclables"),       # plural, no accent → "vélos"
        ("vélo", "pistes-cyclables"),
        ("donnee", "zones-inondables"),      # "Données"
        ("DONNÉES", "zones-inondables"),
        ("bridges", "inspection-ponts"),
        ("bridge", "inspection-ponts"),      # English stemming
        ("qualite", "qualite-air"),
        ("quotidienne", "qualite-air"),      # French stemming
    ])
    def test_stemming_and_accent_folding(self, query, expected):
        assert names(search(q=query)) == {expected}

    def test_words_in_tags_groups_and_organization_are_found(self):
        assert names(search(q="arbres")) == {"arbres-publics"}
        assert search(q="environnement")["count"] == 3
        assert names(search(q="ministere")) == {"inspection-ponts", "arbres-publics"}

    def test_title_words_rank_before_description_words(self):
        # "cyclables" is in a title and a name, "inventaire" in a description only
        for query in ("cyclables OR inventaire", "inventaire OR cyclables"):
            result = search(q=query, sort="score desc")
            assert [d["name"] for d in result["results"]] == [
                "pistes-cyclables", "arbres-publics"]

    def test_fielded_query(self):
        assert names(search(q="title:pistes")) == {"pistes-cyclables"}
        assert names(search(q="tags:vélo")) == {"pistes-cyclables"}
        assert search(q="tags:velo")["count"] == 0  # tags match exactly, as on Solr

    def test_negation(self):
        assert names(search(q="environnement -arbres")) == {"qualite-air", "zones-inondables"}

    def test_prefix(self):
        assert names(search(q="title:cycl*")) == {"pistes-cyclables"}

    def test_unbalanced_plain_words_are_still_words(self):
        # dismax reads what people type; an odd parenthesis is no error on Solr
        assert names(search(q="(pistes cyclables")) == {"pistes-cyclables"}


@pytest.mark.usefixtures("catalogue")
class TestFilters:
    @pytest.mark.parametrize("fq, expected", [
        ("organization:ministere-transports", {"inspection-ponts", "arbres-publics"}),
        ("tags:environnement", {"qualite-air", "arbres-publics", "zones-inondables"}),
        ('tags:"vélo"', {"pistes-cyclables"}),
        ("groups:transport", {"pistes-cyclables", "inspection-ponts", "arbres-publics"}),
        ("res_format:CSV", {"pistes-cyclables", "inspection-ponts", "zones-inondables"}),
        ("license_id:cc-by", {"pistes-cyclables", "qualite-air", "zones-inondables"}),
        ("name:qualite-air", {"qualite-air"}),
        ("type:carte", {"zones-inondables"}),
        ("-type:carte +organization:ville-de-quebec", {"pistes-cyclables", "qualite-air"}),
        ("groups:transport AND res_format:GeoJSON", {"pistes-cyclables"}),
        ("tags:(air OR arbres)", {"qualite-air", "arbres-publics"}),
        ("organization:nobody", set()),
    ])
    def test_fq_on_core_fields(self, fq, expected):
        assert names(search(fq=fq, rows=100)) == expected

    def test_fq_on_id(self, catalogue):
        dataset = catalogue["datasets"]["qualite-air"]
        assert names(search(fq=f'id:"{dataset["id"]}"')) == {"qualite-air"}
        assert names(search(fq=f'id:{dataset["id"]}')) == {"qualite-air"}

    def test_fq_list_and_q_together(self):
        result = search(q="environnement", fq_list=["organization:ville-de-quebec", "type:dataset"])
        assert names(result) == {"qualite-air"}

    def test_date_range(self):
        assert search(fq="metadata_modified:[NOW-1DAY TO NOW+1DAY]")["count"] == 5
        assert search(fq="metadata_created:[* TO 2000-01-01T00:00:00Z]")["count"] == 0


@pytest.mark.usefixtures("catalogue")
class TestPagingAndSorting:
    def test_rows_and_start(self):
        every = [d["name"] for d in search(sort="name asc")["results"]]
        page = search(sort="name asc", rows=2, start=1)
        assert page["count"] == 5
        assert [d["name"] for d in page["results"]] == every[1:3]
        assert search(rows=0)["results"] == []
        assert search(start=10)["results"] == []

    @pytest.mark.parametrize("sort", ["name asc", "title_string asc"])
    def test_sort_ascending(self, sort):
        result = search(sort=sort)
        assert [d["name"] for d in result["results"]] == [
            "arbres-publics", "inspection-ponts", "pistes-cyclables",
            "qualite-air", "zones-inondables"]

    def test_sort_descending(self):
        result = search(sort="name desc")
        assert result["results"][0]["name"] == "zones-inondables"

    def test_sort_by_dates_follows_creation_order(self, catalogue):
        created = list(catalogue["datasets"])  # in creation order
        for field in ("metadata_created", "metadata_modified"):
            assert [d["name"] for d in search(sort=f"{field} asc")["results"]] == created
            assert [d["name"] for d in search(sort=f"{field} desc")["results"]] == created[::-1]

    def test_default_sort_without_words(self):
        # CKAN's default "score desc, metadata_modified desc" on *:*
        result = search()
        assert result["sort"] == "score desc, metadata_modified desc"
        assert result["results"][0]["name"] == "zones-inondables"

    def test_several_sort_keys(self):
        result = search(sort="license_id asc, name desc")
        assert [d["name"] for d in result["results"]] == [
            "zones-inondables", "qualite-air", "pistes-cyclables",
            "arbres-publics", "inspection-ponts"]


@pytest.mark.usefixtures("catalogue")
class TestFacets:
    def test_default_search_page_facets_count_the_whole_result(self):
        result = search(rows=1, **{"facet.field": json.dumps(DEFAULT_FACETS)})
        facets = result["facets"]
        assert facets["organization"] == {"ville-de-quebec": 3, "ministere-transports": 2}
        assert facets["groups"] == {"transport": 3, "environnement": 2}
        assert facets["tags"] == {
            "environnement": 3, "transport": 2, "air": 1, "arbres": 1,
            "ponts": 1, "vélo": 1}
        # CSV twice in one dataset still counts that dataset once
        assert facets["res_format"] == {"CSV": 3, "GeoJSON": 1, "JSON": 1}
        assert facets["license_id"] == {"cc-by": 3, "odc-odbl": 1, "cc-zero": 1}

    def test_search_facets_as_ckan_shows_them(self):
        result = search(**{"facet.field": json.dumps(["tags"])})
        items = result["search_facets"]["tags"]["items"]
        assert {"name": "environnement", "display_name": "environnement",
                "count": 3} in items

    def test_facets_follow_the_query_and_filters(self):
        result = search(q="environnement", fq="organization:ville-de-quebec",
                        **{"facet.field": json.dumps(["tags", "organization"])})
        assert result["facets"]["organization"] == {"ville-de-quebec": 2}
        assert result["facets"]["tags"] == {"environnement": 2, "air": 1}

    def test_facet_limit(self):
        result = search(**{"facet.field": json.dumps(["tags"]), "facet.limit": 2})
        assert result["facets"]["tags"] == {"environnement": 3, "transport": 2}

    def test_facet_limit_minus_one_means_all(self):
        result = search(**{"facet.field": json.dumps(["tags"]), "facet.limit": -1})
        assert len(result["facets"]["tags"]) == 6

    def test_facet_mincount(self):
        result = search(**{"facet.field": json.dumps(["tags", "groups"]),
                           "facet.mincount": 3})
        assert result["facets"]["tags"] == {"environnement": 3}
        assert result["facets"]["groups"] == {"transport": 3}

    def test_facet_on_a_field_nobody_has(self):
        result = search(**{"facet.field": json.dumps(["extras_nothing"])})
        assert result["facets"]["extras_nothing"] == {}


@pytest.mark.usefixtures("catalogue")
class TestFieldList:
    def test_fl_returns_the_requested_fields(self):
        result = search(q="ponts", fl="id,name,organization")
        assert result["results"] == [{
            "id": result["results"][0]["id"], "name": "inspection-ponts",
            "organization": "ministere-transports"}]

    def test_unstored_fields_are_never_returned(self):
        result = search(q="ponts", fl="name,permission_labels,text")
        assert result["results"] == [{"name": "inspection-ponts"}]

    def test_listed_fields_come_back_as_stored_whatever_their_type(self):
        """Asked by name, each stored field is read as text and its JSON type:
        strings, numbers, booleans, lists and nulls come back as the whole
        document holds them, and a field the document lacks stays absent."""
        from ckan.lib.search.common import make_connection

        whole = make_connection().search(q="name:inspection-ponts", fl="*").docs[0]
        kinds = {type(value) for value in whole.values()}
        assert {str, int, bool, list} <= kinds, kinds
        listed = make_connection().search(
            q="name:inspection-ponts", fl=",".join([*whole, "absent_field"])).docs[0]
        assert listed == whole


    @pytest.mark.parametrize("fl", [None, "*", "id,name,organization", "name,absent_field"])
    def test_a_text_search_reads_its_page_as_a_filter_does(self, fl):
        """A ranked search reads its page's documents with its matches
        (single_pass.py), a filter apart (documents.documents): the same fields."""
        from ckan.lib.search.common import make_connection

        options = {"fl": fl} if fl else {}
        ranked = make_connection().search(q="ponts", **options).docs
        filtered = make_connection().search(q="name:inspection-ponts", **options).docs
        assert len(ranked) == 1 and ranked == filtered
        assert make_connection().search(q="ponts", rows=0, **options).docs == []


@pytest.mark.usefixtures("catalogue")
class TestPages:
    """CKAN's own search pages, which ask package_search with their facets."""

    def test_dataset_search_page(self, app):
        page = app.get("/dataset/", query_string={"q": "velos"}, status=200)
        assert "Pistes cyclables" in page.body
        assert "Inspection des ponts" not in page.body

    def test_facet_filters_from_the_page(self, app):
        page = app.get("/dataset/", query_string={"tags": "transport", "res_format": "GeoJSON"},
                       status=200)
        assert "Pistes cyclables" in page.body
        assert "Inspection des ponts" not in page.body

    def test_sorted_page(self, app):
        # (the "carte" dataset has no page of its own type: it stays out)
        for sort, first, last in (("title_string asc", "Arbres", "Inspection"),
                                  ("title_string desc", "Inspection", "Arbres")):
            page = app.get("/dataset/", status=200, query_string={
                "sort": sort, "organization": "ministere-transports"})
            assert page.body.index(first) < page.body.index(last)

    def test_organization_page(self, app):
        page = app.get("/organization/ministere-transports", status=200)
        assert "Inspection des ponts" in page.body
        assert "Pistes cyclables" not in page.body

    def test_group_page(self, app):
        page = app.get("/group/environnement", status=200)
        assert "Arbres publics" in page.body
        assert "Inspection des ponts" not in page.body

    def test_bad_query_on_the_page_is_no_server_error(self, app):
        app.get("/dataset/", query_string={"q": "title:(velo"}, status=200)
