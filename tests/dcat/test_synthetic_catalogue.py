"""A synthetic catalogue, from the benchmarks' generator, exports whole with zero SHACL violations.

bench/dcat.py validates the 10,000-dataset catalogue page by page; this
checks 50 datasets of the same generator (bench/search.py's rows: bilingual
titles, categories, 1-6 resources of assorted formats, GeoJSON extents,
update frequencies, 5 % private) created through the action layer, so that it
runs on every CKAN version.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import random
import sys

import pytest
from rdflib import Graph

from ckan.tests import helpers
from ckanext.dcat.profiles import DCAT, RDF

from ckanext.quebec.dcat import feed

from .test_shacl import report

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "search.py")


def _generator():
    """bench/search.py as a module; it imports its neighbour bench/backends.py as a script does."""
    spec = importlib.util.spec_from_file_location("quebec_bench_search", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(BENCH))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(os.path.dirname(BENCH))
    return module


@pytest.fixture
def synthetic_catalogue():
    """50 datasets of the generator; returns how many are public."""
    generator = _generator()
    rng = random.Random(20261122)
    now = dt.datetime(2026, 11, 1)
    context = {"user": helpers.call_action("get_site_user")["name"]}
    organizations = [generator._group_row(f"organisation-{n:03d}", f"Organisme {n:03d}", True, now)
                     for n in range(5)]
    for row in organizations:
        row["id"] = helpers.call_action("organization_create", dict(context), name=row["name"],
                                        title=row["title"], description=row["description"])["id"]
    categories = [generator._group_row(name, name.replace("-", " ").capitalize(), False, now)
                  for name in generator.CATEGORIES]
    for row in categories:
        helpers.call_action("group_create", dict(context), name=row["name"], title=row["title"])
    public = 0
    for n in range(50):
        package = generator._package_row(n, rng, organizations, now)
        resources = generator._resource_rows(package, rng)
        groups = generator._category_rows(package, rng, categories)
        names = {row["id"]: row["name"] for row in categories}
        helpers.call_action(
            "package_create", dict(context),
            name=package["name"], title=package["title"], notes=package["notes"],
            license_id=package["license_id"], owner_org=package["owner_org"],
            private=package["private"], author=package["author"],
            author_email=package["author_email"],
            extras=[{"key": key, "value": value} for key, value in package["extras"].items()],
            groups=[{"name": names[row["group_id"]]} for row in groups],
            resources=[{key: row[key] for key in ("url", "format", "name", "description")}
                       for row in resources],
        )
        public += not package["private"]
    return public


def test_synthetic_catalogue_has_no_violation(synthetic_catalogue):
    stream = io.BytesIO()
    assert feed.export(stream, "ttl", page_size=20) == synthetic_catalogue
    graph = Graph().parse(data=stream.getvalue(), format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == synthetic_catalogue
    assert report(graph) == []
