"""A dataset's URL with a format suffix on the portal's whole stack: an unknown format is a 404.

/dataset/<id>.<format> is ckanext-dcat's route (not core's nor our read
template): an unknown format reached rdflib, which failed with a 500.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers as th

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", (
        "quebec_search scheming_datasets scheming_organizations quebec_schema quebec_partners "
        "quebec_viz dcat quebec_dcat")),
]


def test_a_dataset_url_with_an_unknown_suffix_is_404(app):
    th.call_action("package_create", **dataset_dict(factories.Organization()["id"]))
    for path in ("/dataset/pistes-cyclables.foo", "/dataset/x.foo", "/fr/dataset/pistes-cyclables.foo",
                 "/dataset/pistes-cyclables.json%00"):
        assert app.get(path, expect_errors=True).status_code == 404, path
    assert app.get("/dataset/pistes-cyclables.ttl").status_code == 200
    assert app.get("/dataset/pistes-cyclables").status_code == 200
