"""The schema.org JSON-LD of dataset pages: bilingual, and safe inside its <script> element."""
from __future__ import annotations

import json
import re

import pytest

from . import schema_datasets

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", schema_datasets.SERVED_PLUGINS),
]

HOSTILE = "</script><script>alert(1)</script><!--"
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _structured_data(app, name: str) -> tuple[str, dict]:
    html = app.get(f"/dataset/{name}").body
    scripts = _SCRIPT.findall(html)
    assert len(scripts) == 1
    return html, json.loads(scripts[0])


def _nodes(document) -> list[dict]:
    return document.get("@graph", [document]) if isinstance(document, dict) else document


def test_dataset_page_has_bilingual_schema_org(app):
    partners = schema_datasets.partners()
    dataset = schema_datasets.create(partners["mtq"]["id"])
    _, document = _structured_data(app, dataset["name"])
    (node,) = [n for n in _nodes(document) if n.get("@type") in ("schema:Dataset", "Dataset")
               or "http://schema.org/Dataset" in str(n.get("@type"))]
    text = json.dumps(node, ensure_ascii=False)
    for expected in ("Pistes cyclables", "Bike paths", "The **bike** network.", "vélo", "bike"):
        assert expected in text, expected


def test_a_hostile_title_is_escaped_by_the_helper():
    """Titles from a core dataset (no schema) or an import can hold anything."""
    from ckanext.quebec.dcat.helpers import quebec_dcat_structured_data

    dataset = {"id": "1", "name": "x", "title": HOSTILE,
               "title_translated": {"fr": HOSTILE, "en": "</SCRIPT >"}, "resources": []}
    text = str(quebec_dcat_structured_data(dataset))
    assert "<" not in text and ">" not in text
    assert HOSTILE in json.dumps(json.loads(text), ensure_ascii=False)
