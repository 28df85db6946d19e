"""The quebec_dcat plugin: entry points, default profiles, declared options, vocabularies."""
from __future__ import annotations

import importlib.metadata

import pytest

import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.quebec.dcat import plugin, profiles
from ckanext.quebec.schema import vocabularies

ENTRY_POINTS = {
    ("ckan.plugins", "quebec_dcat"): "ckanext.quebec.dcat.plugin:QuebecDcatPlugin",
    ("ckan.rdf.profiles", "quebec_dcat_ap_3"): "ckanext.quebec.dcat.profiles:QuebecDCATAP3Profile",
}

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]


def test_entry_points_are_installed():
    for (group, name), value in ENTRY_POINTS.items():
        assert importlib.metadata.entry_points(group=group, name=name)[name].value == value


def test_profiles_default_to_the_portal_profile():
    assert tk.config["ckanext.dcat.rdf.profiles"] == plugin.PROFILES


@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_2 quebec_dcat_ap_3")
def test_profiles_set_by_the_admin_are_kept():
    assert tk.config["ckanext.dcat.rdf.profiles"] == "euro_dcat_ap_2 quebec_dcat_ap_3"


def test_catalog_options_are_declared():
    assert tk.config["ckanext.quebec.dcat.catalog_title_fr"]
    assert tk.config["ckanext.quebec.dcat.catalog_description_en"]


@pytest.mark.ckan_config("ckanext.quebec.dcat.catalog_title_en", "Québec Open Data")
def test_catalog_title_comes_from_the_config(app):
    from rdflib import Literal, URIRef

    from ckanext.dcat.profiles import DCT

    from . import shacl

    graph = shacl.graph_of(app.get("/catalog.ttl").body)
    titles = set(graph.objects(URIRef(tk.config["ckan.site_url"]), DCT.title))
    assert Literal("Québec Open Data", lang="en") in titles
    assert Literal(tk.config["ckanext.quebec.dcat.catalog_title_fr"], lang="fr") in titles


def test_every_category_theme_has_labels():
    for category in vocabularies.get("categories"):
        assert profiles.eu_theme_labels(category["eu_theme"]).keys() == {"fr", "en"}


@pytest.mark.parametrize("fmt, code", [
    ("CSV", "CSV"), ("csv", "CSV"), ("GeoJSON", "GEOJSON"), ("SHP (zip)", "SHP"),
    ("Page Web", "HTML"), ("WMS", "WMS_SRVC"),
])
def test_formats_map_to_the_eu_file_types(fmt, code):
    entry = profiles.file_type(fmt)
    assert entry["uri"] == f"http://publications.europa.eu/resource/authority/file-type/{code}"


def test_unknown_format_has_no_file_type():
    assert profiles.file_type("FORMAT-INCONNU") is None


def test_the_import_command_needs_quebec_harvest_and_its_guards(cli, tmp_path):
    feed = tmp_path / "feed.ttl"
    feed.write_text("<https://ville.example/d/1> <http://purl.org/dc/terms/title> \"Jeu\" .")
    result = cli.invoke(ckan, ["quebec", "dcat", "import", str(feed),
                               "--organization", factories.Organization()["name"]])
    assert result.exit_code == 1 and "enable the harvest, dcat_rdf_harvester and quebec_harvest" in (
        result.output)
