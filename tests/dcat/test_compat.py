"""compat_dcat and compat_rdflib: the only users of the libraries' private names.

Each refuses an untested version at start-up, and the bindings each replaces
are the ones the feed uses.
"""
from __future__ import annotations

import importlib
import importlib.metadata

import pytest
import rdflib
import rdflib.serializer
from rdflib import BNode, Literal, URIRef

from ckan.tests import factories
from ckanext.dcat.processors import HYDRA, RDF
from ckanext.dcat.profiles import CleanedURIRef
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile

from ckanext.quebec.dcat import compat_dcat, compat_rdflib, feed, profiles

PLUGINS = "quebec_search dcat quebec_dcat"


@pytest.mark.parametrize("compat, tested", [
    (compat_dcat, "ckanext-dcat 2.4.4"), (compat_rdflib, "rdflib 7.6.0")])
def test_an_untested_version_is_refused_naming_the_tested_ones(compat, tested):
    with pytest.raises(RuntimeError, match=tested) as error:
        compat.check_version("99.0.0")
    assert "99.0.0 is installed" in str(error.value)
    compat.check_version()  # the installed version is a tested one
    for version in compat.TESTED_VERSIONS:
        compat.check_version(version)


@pytest.mark.parametrize("compat", [compat_dcat, compat_rdflib])
def test_start_up_stops_on_an_untested_version(compat, monkeypatch):
    """Importing the module (as loading the plugin does) raises before it patches anything."""
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: (
        "99.0.0" if name == compat.DISTRIBUTION else real(name)))
    careful_quote = CleanedURIRef._careful_quote
    with pytest.raises(RuntimeError, match="untested|tested with"):
        importlib.reload(compat)
    monkeypatch.undo()
    assert CleanedURIRef._careful_quote is careful_quote


def test_ckanext_dcat_iris_go_through_careful_quote():
    assert CleanedURIRef._careful_quote is compat_dcat.careful_quote
    assert compat_dcat.upstream_careful_quote is not compat_dcat.careful_quote
    assert str(CleanedURIRef("https://example.ca/a b(c)")) == "https://example.ca/a%20b%28c%29"


def test_profile_dates_go_through_the_fast_path():
    fast = feed._with_fast_dates(EuropeanDCATAP3Profile)
    assert fast._add_date_triple is not EuropeanDCATAP3Profile._add_date_triple
    graph = rdflib.Graph()
    subject = URIRef("https://example.ca/dataset/x")
    calls = []
    fast_path = compat_dcat.with_fast_dates(EuropeanDCATAP3Profile,
                                            lambda value: calls.append(value) or None)
    compat_dcat.add_date_triple(fast_path(graph), subject, URIRef("https://example.ca/p"),
                                "2024-01-31T00:00:00")
    assert calls == ["2024-01-31T00:00:00"]
    assert len(graph) == 1


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
def test_serializer_uses_the_cached_fast_profiles_and_the_paging_hook():
    serializer = feed.QuebecRDFSerializer(profiles=["euro_dcat_ap_3", "quebec_dcat_ap_3"])
    loaded = feed._loaded_profiles(("euro_dcat_ap_3", "quebec_dcat_ap_3"))
    assert serializer.load_profiles(["euro_dcat_ap_3", "quebec_dcat_ap_3"]) == list(loaded)
    assert all(profile._add_date_triple.__qualname__.startswith("with_fast_dates")
               for profile in loaded)
    serializer.serialize_catalog({}, [], _format="ttl", pagination_info={
        "count": 3, "items_per_page": 2, "current": "https://example.ca/catalog?page=1",
        "next": "https://example.ca/catalog?page=2"})
    view = URIRef("https://example.ca/catalog?page=1")
    assert (view, RDF.type, HYDRA.PartialCollectionView) in serializer.g
    assert (view, HYDRA.next, URIRef("https://example.ca/catalog?page=2")) in serializer.g


def test_feed_turtle_is_the_compact_serializer():
    plugin = rdflib.plugin.get(compat_rdflib.TURTLE, rdflib.serializer.Serializer)
    assert plugin is compat_rdflib.CompactTurtleSerializer
    graph = feed._Graph()
    subject, node = URIRef("https://example.ca/d"), BNode()
    graph.add((subject, URIRef("https://example.ca/p"), node))
    graph.add((node, URIRef("https://example.ca/q"), Literal("x")))
    text = graph.serialize(format="turtle")
    # rdflib's own Turtle nests the blank node in [ ]; the one-pass Turtle labels it.
    assert f"_:{node}" in text and "[" not in text
    assert "[" in rdflib.Graph.serialize(graph, format="turtle")


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
def test_page_partners_are_given_to_ckanext_dcat_profiles():
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    RDFProfile._org_cache.pop(org["id"], None)
    with profiles.partners_of([dataset]):
        assert RDFProfile._org_cache[org["id"]]["name"] == org["name"]
