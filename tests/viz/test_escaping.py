"""An editor's text (resource URL, a file's column names and cells) reaches the pages as text, never as markup or script."""
from __future__ import annotations

import glob
import json
import os
import re

import lxml.html

from ckan.tests import factories, helpers

from ckanext.quebec.viz import plugin

from .conftest import viz_marks

pytestmark = viz_marks()

PAYLOAD = "</script><img src=x onerror=alert(1)>"
VIZ = os.path.dirname(plugin.__file__)


def _sections(page: str) -> list[str]:
    return re.findall(r'<section class="quebec-viz .*?</section>', page, re.S)


def _settings(section: str) -> dict:
    (found,) = re.findall(r'<script type="application/json" class="quebec-viz-settings">(.*?)</script>',
                          section, re.S)
    return json.loads(found)


def _assert_inert(page: str) -> list[dict]:
    """The payload is nowhere as markup; each view's settings still hold it as text."""
    assert "<img src=x" not in page and "</script><img" not in page
    sections = _sections(page)
    assert sections
    for section in sections:
        # no inline script: a JSON data block only (allowed by a CSP without 'unsafe-inline')
        elements = list(lxml.html.fromstring(section).iter())
        assert [element.get("type") for element in elements if element.tag == "script"] == \
            ["application/json"]
        assert not [element for element in elements if element.tag == "img"]
        for element in elements:
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (element.tag, name)
                assert not value.strip().lower().startswith("javascript:"), (element.tag, name)
    return [_settings(section) for section in sections]


def _views(resource_id: str, *view_types: str) -> list[dict]:
    existing = {view["view_type"]: view
                for view in helpers.call_action("resource_view_list", id=resource_id)}
    for view_type in view_types:
        if view_type not in existing:
            existing[view_type] = helpers.call_action(
                "resource_view_create", resource_id=resource_id, view_type=view_type, title=view_type)
    return [existing[view_type] for view_type in view_types]


def test_a_resource_url_is_not_markup_on_the_dataset_page_and_the_map(app):
    dataset = factories.Dataset()
    url = f"http://x/wms{PAYLOAD}"
    resource = factories.Resource(package_id=dataset["id"], url=url, format="WMS")
    (settings,) = _assert_inert(app.get(f"/dataset/{dataset['name']}").body)
    assert settings["wms"]["url"] == url
    for view in _views(resource["id"], "quebec_map"):
        page = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}").body
        (settings,) = _assert_inert(page)
        assert settings["wms"]["url"] == url


def test_a_column_name_is_not_markup_on_the_dataset_page_and_each_view(app, upload, run_jobs):
    dataset = factories.Dataset()
    csv = (f'"{PAYLOAD}",valeur,latitude,longitude\n'
           "a,1,46.8,-71.2\nb,2,45.5,-73.6\na,3,46.3,-72.5\n")
    resource = upload(dataset["id"], "piege.csv", csv.encode())
    run_jobs()
    (settings,) = _assert_inert(app.get(f"/dataset/{dataset['name']}").body)
    assert PAYLOAD in [column["name"] for column in settings["columns"]]
    views = _views(resource["id"], "quebec_table", "quebec_chart", "quebec_map")
    for view in views:
        page = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}").body
        (settings,) = _assert_inert(page)
        assert PAYLOAD in [column["name"] for column in settings["columns"]]
        if view["view_type"] == "quebec_chart":
            assert settings["chart"]["x_column"] == PAYLOAD
        if view["view_type"] == "quebec_table":
            assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_no_viz_template_or_script_needs_inline_script():
    """For a Content-Security-Policy without 'unsafe-inline': no script in pages, no HTML built from data."""
    templates = glob.glob(os.path.join(VIZ, "templates", "**", "*.html"), recursive=True)
    assert templates
    for path in templates:
        with open(path, encoding="utf-8") as stream:
            source = stream.read()
        for tag in re.findall(r"<script\b[^>]*>", source):
            assert 'type="application/json"' in tag, path
        assert not re.search(r"\son\w+\s*=", source) and "javascript:" not in source, path
        assert "|safe" not in source.replace(" ", ""), path
    with open(os.path.join(VIZ, "assets", "viz.js"), encoding="utf-8") as stream:
        script = stream.read()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function"):
        assert sink not in script, sink
    # nor markup written as text (a Leaflet popup given a string renders it as HTML)
    assert not re.search(r"[\"']<[a-z]", script)
