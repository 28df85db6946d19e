"""The feeds' URLs: paginated catalogue (hydra), modified_since, per-dataset RDF, content negotiation."""
from __future__ import annotations

import datetime

import pytest
from rdflib import Namespace, URIRef

from ckan.tests import factories
from ckanext.dcat.profiles import DCAT, RDF

from . import shacl

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

FORMATS = {"ttl": ("text/turtle", "turtle"), "rdf": ("application/rdf+xml", "xml"),
           "xml": ("application/rdf+xml", "xml"), "jsonld": ("application/ld+json", "json-ld")}


@pytest.fixture
def five_datasets():
    org = factories.Organization()
    return [factories.Dataset(owner_org=org["id"], name=f"jeu-{i}") for i in range(5)]


def _graph(response, rdf_format):
    assert response.status_code == 200, response.body
    return shacl.graph_of(response.body, rdf_format)


def test_catalog_and_datasets_in_each_format(app, five_datasets):
    for extension, (media_type, rdf_format) in FORMATS.items():
        response = app.get(f"/catalog.{extension}")
        assert response.headers["Content-Type"].startswith(media_type)
        graph = _graph(response, rdf_format)
        assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 5

    dataset = five_datasets[0]
    for extension in ("ttl", "rdf", "jsonld"):
        media_type, rdf_format = FORMATS[extension]
        response = app.get(f"/dataset/{dataset['name']}.{extension}")
        assert response.headers["Content-Type"].startswith(media_type)
        graph = _graph(response, rdf_format)
        assert list(graph.subjects(RDF.type, DCAT.Dataset)) == [
            URIRef(f"http://test.ckan.net/dataset/{dataset['id']}")]


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_catalog_pages_have_hydra_links(app, five_datasets):
    graph = _graph(app.get("/catalog.ttl?page=2"), "turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 2
    (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    links = {str(p).split("#")[-1]: str(o) for p, o in graph.predicate_objects(view)
             if str(p).startswith(str(HYDRA))}
    assert links["first"].endswith("page=1")
    assert links["previous"].endswith("page=1")
    assert links["next"].endswith("page=3")
    assert links["last"].endswith("page=3")
    assert str(graph.value(view, HYDRA.totalItems)) == "5"

    last = _graph(app.get("/catalog.ttl?page=3"), "turtle")
    assert len(set(last.subjects(RDF.type, DCAT.Dataset))) == 1
    assert (None, HYDRA.next, None) not in last


def test_modified_since_filters_the_catalog(app, five_datasets):
    future = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).date().isoformat()
    past = "2000-01-01"
    assert not set(_graph(app.get(f"/catalog.ttl?modified_since={future}"), "turtle")
                   .subjects(RDF.type, DCAT.Dataset))
    assert len(set(_graph(app.get(f"/catalog.ttl?modified_since={past}"), "turtle")
                   .subjects(RDF.type, DCAT.Dataset))) == 5


def test_bad_page_and_date_are_400_not_500(app, five_datasets):
    assert app.get("/catalog.ttl?page=abc").status_code == 400
    assert app.get("/catalog.ttl?modified_since=pas-une-date").status_code == 400


def test_unknown_and_private_datasets_are_404(app):
    org = factories.Organization()
    private = factories.Dataset(owner_org=org["id"], private=True)
    assert app.get("/dataset/inexistant.ttl").status_code == 404
    assert app.get(f"/dataset/{private['name']}.ttl").status_code in (403, 404)


def test_content_negotiation(app, five_datasets):
    dataset = five_datasets[0]
    for accept, rdf_format in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                               ("application/ld+json", "json-ld")):
        response = app.get(f"/dataset/{dataset['name']}", headers={"Accept": accept})
        assert response.headers["Content-Type"].startswith(accept)
        assert "Accept" in response.headers["Vary"]
        assert set(_graph(response, rdf_format).subjects(RDF.type, DCAT.Dataset))

        catalog = app.get("/", headers={"Accept": accept})
        assert len(set(_graph(catalog, rdf_format).subjects(RDF.type, DCAT.Dataset))) == 5


def test_browsers_still_get_html(app, five_datasets):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = app.get(f"/dataset/{five_datasets[0]['name']}", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("text/html")
    assert app.get("/", headers={"Accept": accept}).headers["Content-Type"].startswith("text/html")


@pytest.mark.ckan_config("ckanext.quebec.dcat.content_negotiation", "false")
def test_content_negotiation_can_be_turned_off(app, five_datasets):
    response = app.get(f"/dataset/{five_datasets[0]['name']}", headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"].startswith("text/html")
