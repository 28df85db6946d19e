"""ckanext-dcat's euro_dcat_ap_3 alone breaks the DCAT-AP 3.0.0 shapes on the
datasets that test_shacl.py finds valid with quebec_dcat_ap_3: those tests prove something."""
from __future__ import annotations

import pytest

from . import datasets
from .test_shacl import get, report

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat"),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3"),
]


@pytest.mark.parametrize("make", [datasets.core_dataset, datasets.bilingual_dataset])
def test_stock_profile_has_violations(app, make):
    dataset = make()
    assert report(get(app, "/catalog.ttl"))
    assert report(get(app, f"/dataset/{dataset['id']}.ttl"))
