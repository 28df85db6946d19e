"""The demo catalogue, as the served portal has it, exported whole: every dataset, 0 SHACL violations."""
from __future__ import annotations

import io
import os

import pytest
from ckan import model
from ckan.lib import uploader
from rdflib import Graph

from ckan.tests import helpers
from ckanext.dcat.profiles import DCAT, FOAF, RDF

from ckanext.quebec.dcat import feed
from ckanext.quebec.demo import loader

from . import schema_datasets
from .test_shacl import report

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    # The demo guides too (quebec_guides): documentation (foaf:page) of their datasets.
    pytest.mark.ckan_config("ckan.plugins", schema_datasets.SERVED_PLUGINS + " quebec_guides quebec_reuses"),
]


@pytest.fixture
def demo():
    loader.load()
    yield
    for (resource_id,) in model.Session.query(model.Resource.id).filter_by(url_type="upload"):
        path = uploader.get_resource_uploader({}).get_path(resource_id)
        if isinstance(path, str) and os.path.isabs(path) and os.path.isfile(path):
            os.remove(path)


def test_demo_catalogue_exports_whole_and_valid(demo):
    public = helpers.call_action("package_search", rows=1000)["count"]
    assert public >= 30
    stream = io.BytesIO()
    assert feed.export(stream, "ttl", page_size=7) == public
    graph = Graph().parse(data=stream.getvalue(), format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == public
    guides = {str(page) for page in graph.objects(None, FOAF.page) if "/guides/" in str(page)}
    assert len(guides) >= 4, guides
    assert report(graph) == []
