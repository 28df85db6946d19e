"""The serializer's fast paths give what ckanext-dcat and rdflib give without them."""
from __future__ import annotations

import datetime

import pytest
import rdflib
from dateutil.parser import parse as parse_date
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCT
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile

from ckanext.quebec.dcat import feed, profiles

from . import datasets

PLUGINS = "quebec_search dcat quebec_dcat"


def _dateutil(value: str) -> str:
    """What ckanext-dcat's _add_date_triple writes for a date and time."""
    return parse_date(value, default=datetime.datetime(1, 1, 1, 0, 0, 0)).isoformat()


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime.datetime(1, 1, 1),
                    max_value=datetime.datetime(9999, 12, 31)),
       st.integers(min_value=0, max_value=6))
def test_iso_datetime_matches_dateutil(moment, digits):
    value = moment.isoformat(timespec="seconds")
    if digits:
        value += "." + f"{moment.microsecond:06d}"[:digits]
    assert feed.iso_datetime(value) == _dateutil(value)


@pytest.mark.parametrize("value", [
    "2024-01-31T23:59:59", "2024-02-29T00:00:00.5", "2024-06-01T12:00:00.000000",
    "0001-01-01T00:00:00", "1999-12-31T23:59:59.999999",
])
def test_iso_datetime_examples(value):
    assert feed.iso_datetime(value) == _dateutil(value)


@pytest.mark.parametrize("value", [
    # Left to dateutil: time zones, other layouts, impossible dates, not text.
    "2024-01-31T23:59:59Z", "2024-01-31T23:59:59+05:00", "2024-01-31 23:59:59",
    "2024-01-31", "2024", "31/01/2024", "2024-13-01T00:00:00", "2023-02-29T00:00:00",
    "2024-01-31T24:00:00", "2024-01-31T23:59:59.1234567", "", None, 20240131,
])
def test_iso_datetime_leaves_the_rest_to_dateutil(value):
    assert feed.iso_datetime(value) is None


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.parametrize("value", [
    "2024-01-31T23:59:59.123", "2024-01-31T23:59:59Z", "2024-01-31", "2024-01", "2024",
    "le 31 janvier", "2024-13-01T00:00:00",
])
def test_fast_profile_writes_the_same_dates(value):
    subject = rdflib.URIRef("https://example.ca/dataset/x")
    graphs = []
    for profile_class in (EuropeanDCATAP3Profile, feed._with_fast_dates(EuropeanDCATAP3Profile)):
        graph = rdflib.Graph()
        profile_class(graph)._add_date_triple(subject, DCT.modified, value)
        graphs.append(graph)
    assert set(graphs[0]) == set(graphs[1])
    assert len(graphs[1]) == 1


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
def test_page_is_the_same_as_without_the_fast_paths():
    org = factories.Organization()
    dicts = [datasets.bilingual_dataset()] + [
        factories.Dataset(owner_org=org["id"], title=f"Jeu {i}", notes=f"Description {i}",
                          tags=[{"name": f"mot{i}"}],
                          resources=[{"url": f"https://example.ca/{i}.csv", "format": "CSV",
                                      "size": 1000 + i}])
        for i in range(5)
    ]
    with profiles.partners_of(dicts):
        fast = feed.QuebecRDFSerializer()
        stock = RDFSerializer()
        for serializer in (fast, stock):
            serializer.graph_from_catalog({})
            for dataset_dict in dicts:
                serializer.graph_from_dataset(dataset_dict)

    # Same statements as ckanext-dcat's own serializer with the same profiles...
    fast_graph, stock_graph = rdflib.Graph(), rdflib.Graph()
    fast_graph += fast.g
    stock_graph += stock.g
    assert len(fast_graph) > 100
    assert isomorphic(fast_graph, stock_graph)
    # ...and the one-pass Turtle says what rdflib's own Turtle says.
    text = fast.g.serialize(format="turtle")
    assert "@prefix dcat:" in text
    compact = rdflib.Graph().parse(data=text, format="turtle")
    pretty = rdflib.Graph().parse(data=rdflib.Graph.serialize(fast.g, format="turtle"),
                                  format="turtle")
    assert len(compact) == len(fast_graph)
    assert isomorphic(compact, pretty)
    # Each format reads back as the stock serializer's does.
    for rdf_format in ("xml", "json-ld", "nt"):
        fast_back, stock_back = (
            rdflib.Graph().parse(data=s.g.serialize(format=rdf_format), format=rdf_format)
            for s in (fast, stock))
        assert isomorphic(fast_back, stock_back), rdf_format


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(" !\"$'()*,;<>[]{|}\\^`%20aé/#?:=&+~.") | st.characters(),
               max_size=40))
def test_careful_quote_matches_ckanext_dcat(value):
    assert feed.careful_quote(value) == feed._upstream_careful_quote(value)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
def test_partners_read_again_once_changed():
    """Partners are kept between pages only while their row and extras are unchanged."""
    org = factories.Organization(title="Avant", extras=[{"key": "sigle", "value": "AV"}])
    dataset = factories.Dataset(owner_org=org["id"])
    for _ in range(2):  # read, then from what this process already read
        with profiles.partners_of([dataset]):
            assert profiles.partner(org["id"])["title"] == "Avant"
            assert profiles.partner(org["id"])["sigle"] == "AV"
    helpers.call_action("organization_patch", id=org["id"], title="Après")
    with profiles.partners_of([dataset]):
        assert profiles.partner(org["id"])["title"] == "Après"
    helpers.call_action("organization_patch", id=org["id"],
                        extras=[{"key": "sigle", "value": "AP"}])
    with profiles.partners_of([dataset]):
        assert profiles.partner(org["id"])["sigle"] == "AP"
        # What a page changes in its dicts stays in the page.
        profiles.partner(org["id"])["title"] = "Changé"
    with profiles.partners_of([dataset]):
        assert profiles.partner(org["id"])["title"] == "Après"
    helpers.call_action("organization_delete", id=org["id"])
    with profiles.partners_of([dataset]):
        assert profiles.partner(org["name"]) is None
