"""The catalogue and dataset feeds validate against the DCAT-AP 3.0.0 SHACL shapes."""
from __future__ import annotations

import pytest

from ckanext.dcat.processors import RDFSerializer

from . import datasets, shacl

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]


def report(graph):
    report = shacl.validate(graph)
    warnings = shacl.recommendations(graph)
    print(f"\n{len(report.violations)} results of the mandatory shapes:")
    print("\n".join(report.violations))
    print(f"{len(warnings.violations)} warnings of the recommended shapes:")
    print("\n".join(warnings.violations))
    return [v for v in report.violations if v.startswith("Violation")]


def get(app, url):
    response = app.get(url)
    assert response.status_code == 200, response.body
    return shacl.graph_of(response.body)


@pytest.mark.parametrize("make", [datasets.core_dataset, datasets.bilingual_dataset])
def test_catalog_has_no_violation(app, make):
    make()
    assert report(get(app, "/catalog.ttl")) == []


@pytest.mark.parametrize("make", [datasets.core_dataset, datasets.bilingual_dataset])
def test_dataset_has_no_violation(app, make):
    dataset = make()
    assert report(get(app, f"/dataset/{dataset['id']}.ttl")) == []


def test_schema_fields_have_no_violation():
    dataset = datasets.as_schema_dict(datasets.bilingual_dataset())
    serializer = RDFSerializer(profiles=["euro_dcat_ap_3", "quebec_dcat_ap_3"])
    graph = shacl.graph_of(serializer.serialize_catalog({}, [dataset], _format="turtle"))
    assert report(graph) == []
