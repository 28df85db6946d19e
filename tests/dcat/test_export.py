"""``ckan quebec dcat export``: the whole catalogue, page by page, in each format, valid."""
from __future__ import annotations

import os

import pytest
from rdflib import Graph, URIRef

from ckan.cli.cli import ckan
from ckan.tests import factories
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.profiles import DCAT, RDF

from . import shacl
from .test_shacl import report

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}


@pytest.fixture
def catalogue():
    org = factories.Organization()
    public = [factories.Dataset(owner_org=org["id"], title=f"Jeu {i}",
                                resources=[{"url": f"https://example.ca/{i}.csv", "format": "CSV",
                                           "size": 1000 + i}])
              for i in range(5)]
    private = factories.Dataset(owner_org=org["id"], private=True)
    return public, private


def test_export_writes_every_public_dataset(cli, catalogue, tmp_path):
    public, private = catalogue
    for extension, rdf_format in FORMATS.items():
        output = tmp_path / f"catalogue.{extension}"
        result = cli.invoke(ckan, ["quebec", "dcat", "export", str(output), "--format",
                                   extension, "--page-size", "2"])
        assert result.exit_code == 0, result.output
        assert "5 datasets written" in result.output

        graph = Graph().parse(str(output), format=rdf_format)
        datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
        assert datasets == {URIRef(f"http://test.ckan.net/dataset/{d['id']}") for d in public}
        (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
        assert set(graph.objects(catalog, DCAT.dataset)) == datasets
        assert report(graph) == [], extension

        parser = RDFParser(profiles=["euro_dcat_ap_3", "quebec_dcat_ap_3"])
        parser.parse(output.read_bytes(), _format=rdf_format)
        assert sorted(d["title"] for d in parser.datasets()) == [f"Jeu {i}" for i in range(5)]
        assert private["id"] not in output.read_text(encoding="utf-8")
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".export-")]


def test_bad_date_is_refused_and_writes_nothing(cli, catalogue, tmp_path):
    output = tmp_path / "catalogue.ttl"
    result = cli.invoke(ckan, ["quebec", "dcat", "export", str(output),
                               "--modified-since", "pas-une-date"])
    assert result.exit_code != 0
    assert "modified_since: Not an ISO 8601 date: pas-une-date" in result.output
    assert not os.listdir(tmp_path)


def test_modified_since_limits_the_export(cli, catalogue, tmp_path):
    output = tmp_path / "catalogue.nt"
    result = cli.invoke(ckan, ["quebec", "dcat", "export", str(output), "--format", "nt",
                               "--modified-since", "2999-01-01"])
    assert result.exit_code == 0, result.output
    assert not set(shacl.graph_of(output.read_text(), "nt").subjects(RDF.type, DCAT.Dataset))
