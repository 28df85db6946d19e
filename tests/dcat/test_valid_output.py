"""Every URL and text of a dataset is written as valid RDF, however it was typed (newlines, quotes, control characters)."""
from __future__ import annotations

import io

import pytest
from rdflib import Graph, URIRef

from ckan.tests import factories
from ckanext.dcat.profiles import DCAT

from ckanext.quebec.dcat import feed

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

ODD_URL = 'https://example.org/a b\n<c>"d"{e}|\\^`.csv'
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "n3": "n3"}


@pytest.fixture
def odd_dataset():
    organization = factories.Organization()
    return factories.Dataset(
        owner_org=organization["id"], notes="Texte\x01 avec\x0b contr\x1fôles\n",
        resources=[{"url": ODD_URL, "format": "CSV", "name": "a\x02b"}])


@pytest.mark.parametrize("path", ["/catalog.{fmt}", "/dataset/{name}.{fmt}"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_feeds_with_odd_urls_and_texts_parse(app, odd_dataset, path, fmt):
    response = app.get(path.format(fmt=fmt, name=odd_dataset["name"]))
    assert response.status_code == 200
    graph = Graph().parse(data=response.body, format=FORMATS[fmt])
    urls = {str(url) for url in graph.objects(None, DCAT.accessURL)}
    assert "https://example.org/a%20b%0A%3Cc%3E%22d%22%7Be%7D%7C%5C%5E%60.csv" in urls


@pytest.mark.parametrize("fmt", ["ttl", "nt", "rdf", "jsonld"])
def test_the_export_with_odd_urls_parses(odd_dataset, fmt):
    stream = io.BytesIO()
    assert feed.export(stream, fmt) == 1
    graph = Graph().parse(data=stream.getvalue(), format=feed.FORMATS[fmt][0])
    assert any("%0A" in str(url) for url in graph.objects(None, DCAT.accessURL))
    assert isinstance(next(graph.objects(None, DCAT.accessURL)), URIRef)
