"""The schema.org JSON-LD of a core dataset page, whose title can hold anything."""
from __future__ import annotations

import json

import pytest

from ckan.tests import factories

from .test_structured_data import _SCRIPT, HOSTILE, _structured_data

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]


def test_a_hostile_title_cannot_end_the_script(app):
    dataset = factories.Dataset(title=HOSTILE)
    html, document = _structured_data(app, dataset["name"])
    assert HOSTILE not in _SCRIPT.findall(html)[0]
    assert HOSTILE in json.dumps(document, ensure_ascii=False)
