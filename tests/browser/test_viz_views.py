"""The table, chart and map views of each kind of demo resource, in French and English, in headless Chromium.

Each view is rendered, its rows / marks / features counted, photographed, and
checked by axe-core (no serious or critical violation). The tests run offline:
the tile server and the WMS are closed local ports, and the maps must still
show their data and say what could not be loaded.
"""
from __future__ import annotations

import gettext
import os
import socket

import pytest

from ckan.tests import factories, helpers

from ckanext.quebec import resources as suite_resources

from tests.viz.conftest import VIZ_PLUGINS, run_jobs, upload  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues"),
    pytest.mark.ckan_config("ckan.plugins", VIZ_PLUGINS),
    pytest.mark.ckan_config("ckanext.quebec.viz.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"),
]

AXE = os.path.join(os.path.dirname(__file__), "..", "viz", "vendor", "axe.min.js")
DEMO = [("radars-photo.csv", "CSV"), ("zones-inondables.geojson", "GeoJSON"),
        ("haltes-routieres.kml", "KML"), ("bornes-incendie-quebec.zip", "SHP"),
        ("population-regions-2024.xlsx", "XLSX")]
SCREENSHOTS = os.environ.get("QUEBEC_VIZ_SCREENSHOTS")
POINTS = {"points_fr": "bornes d'incendie", "points_en": "fire hydrants"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo(upload, run_jobs):  # noqa: F811 (fixture from tests.viz.conftest)
    dataset = factories.Dataset(title="Démonstration des aperçus")
    resources = [upload(dataset["id"], filename, fmt=fmt) for filename, fmt in DEMO]
    resources.append(helpers.call_action(
        "resource_create", package_id=dataset["id"], name="Carte WMS", format="WMS",
        url=f"http://127.0.0.1:{_closed_port()}/wms?service=WMS&request=GetCapabilities&layers=bornes"))
    run_jobs()
    # the fire hydrants' map says what its points are: its clusters are "29 bornes d'incendie"
    hydrants = next(resource for resource in resources if resource["format"] == "SHP")
    view = next(view for view in helpers.call_action("resource_view_list", id=hydrants["id"])
                if view["view_type"] == "quebec_map")
    helpers.call_action("resource_view_update", **dict(view, **POINTS))
    return dataset, resources


def _axe_violations(page, selector: str) -> list[str]:
    page.add_script_tag(path=AXE)
    results = page.evaluate(
        "async (selector) => (await axe.run(document.querySelector(selector),"
        " {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))", selector)
    return [f"{v['id']} ({v['impact']}, {v['nodes']} nodes)" for v in results
            if v["impact"] in ("serious", "critical")]


def _shoot(page, tmp_path, name: str) -> None:
    folder = SCREENSHOTS or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    page.screenshot(path=path)
    assert os.path.getsize(path) > 10_000


def _translated(language: str, msgid: str) -> str:
    """A msgid as the suite's catalogue gives it in ``language``."""
    return gettext.translation(suite_resources.TRANSLATION_DOMAIN, suite_resources.i18n_directory(),
                               [language], fallback=True).gettext(msgid)


def _check_leaflet_words(page, section, resource: dict, language: str) -> None:
    """Leaflet's own buttons speak the page's language (zoom, and a popup's close button)."""
    for selector, msgid in ((".leaflet-control-zoom-in", "Zoom in"),
                            (".leaflet-control-zoom-out", "Zoom out")):
        button = section.locator(selector)
        assert button.get_attribute("title") == button.get_attribute("aria-label") \
            == _translated(language, msgid)
    # clusters say what they hold (#22): a hidden text beside the number
    clusters = section.locator(".marker-cluster")
    if resource["format"] == "SHP":  # a city's fire hydrants: always clustered
        clusters.first.wait_for()
    for index in range(clusters.count()):
        count = clusters.nth(index).locator("[aria-hidden=true]").text_content()
        if resource["format"] == "SHP":  # its view says what a point is
            named = _translated(language, "%(count)s %(points)s: zoom in to see them") % {
                "count": count, "points": POINTS[f"points_{language}"]}
        else:
            named = _translated(language, "%(count)s features of “%(name)s”: zoom in to see them") % {
                "count": count, "name": resource["name"]}
        assert clusters.nth(index).locator(".visually-hidden").text_content() == named
    if resource["format"] == "GeoJSON":
        section.locator(".quebec-viz-features summary").click()
        section.locator(".quebec-viz-features tbody button").first.click()
        close = section.locator(".leaflet-popup-close-button")
        close.wait_for()
        assert close.get_attribute("aria-label") == _translated(language, "Close this popup")
        # Leaflet fades a popup in over 0.2 s; axe measures text contrast with the opacity of
        # the moment, so it runs on the popup only once it is fully shown (a busy machine
        # once caught it half-faded: 16 "low contrast" cells).
        page.wait_for_function(
            "(section) => [...section.querySelectorAll('.leaflet-popup')]"
            ".every(p => getComputedStyle(p).opacity === '1')", arg=section.element_handle())


def _check_view(page, view_type: str, resource: dict, language: str = "en") -> None:
    section = page.locator(f'section[data-quebec-viz="{view_type}"]')
    page.wait_for_selector(f'section[data-quebec-viz="{view_type}"][data-state="ready"]')
    preview = helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])
    if view_type == "quebec_table":
        assert section.locator("tbody tr").first.is_visible()
        assert section.locator(".quebec-viz-rows tbody tr").count() == min(100, preview["rows_kept"])
        # keyboard: Tab to the first sort button, Enter sorts
        section.locator(".quebec-viz-sort").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(f'section[data-quebec-viz="{view_type}"] th[aria-sort="ascending"]')
    elif view_type == "quebec_chart":
        marks = int(section.get_attribute("data-marks"))
        assert marks > 0
        assert section.locator(".quebec-viz-chart-data tbody tr").count() == marks
        assert section.locator("canvas[role=img]").get_attribute("aria-labelledby")
        assert section.locator(".quebec-viz-summary").inner_text().strip()
    elif view_type == "quebec_map":
        _check_leaflet_words(page, section, resource, language)
        if resource["format"] == "WMS":
            page.wait_for_selector(f'section[data-quebec-viz="{view_type}"][data-wms-failed="true"]')
            assert section.locator(".quebec-viz-map-message").is_visible()
            return
        features = int(section.get_attribute("data-features"))
        assert features == preview["geo"]["features_kept"] > 0
        drawn = section.locator(".leaflet-overlay-pane path, .marker-cluster")
        assert drawn.count() > 0 and drawn.first.is_visible()
        # no tile can load here: the map says so, and the data is still drawn
        page.wait_for_selector(f'section[data-quebec-viz="{view_type}"][data-tiles-failed="true"]')
        assert section.locator(".quebec-viz-features tbody tr").count() == min(features, 500)


def test_every_view_of_every_demo_resource_in_french_and_english(live_server, page, tmp_path, demo):
    page.set_viewport_size({"width": 1280, "height": 900})
    for language in ("fr", "en"):
        _check_language(live_server, page, tmp_path, demo, language)


def _check_language(live_server, page, tmp_path, demo, language: str) -> None:
    dataset, resources = demo
    prefix = "/fr" if language == "fr" else ""
    checked = []
    for resource in resources:
        for view in helpers.call_action("resource_view_list", id=resource["id"]):
            page.goto(f"{live_server}{prefix}/dataset/{dataset['id']}/resource/{resource['id']}"
                      f"?view_id={view['id']}")
            assert page.locator("html").get_attribute("lang").startswith(language)
            _check_view(page, view["view_type"], resource, language)
            selector = f'section[data-quebec-viz="{view["view_type"]}"]'
            assert _axe_violations(page, selector) == [], (resource["name"], view["view_type"])
            _shoot(page, tmp_path, f"{language}-{resource['name']}-{view['view_type']}")
            checked.append((resource["format"], view["view_type"]))
    assert sorted(checked) == sorted([
        ("CSV", "quebec_table"), ("CSV", "quebec_chart"), ("CSV", "quebec_map"),
        ("GeoJSON", "quebec_table"), ("GeoJSON", "quebec_chart"), ("GeoJSON", "quebec_map"),
        ("KML", "quebec_table"), ("KML", "quebec_chart"), ("KML", "quebec_map"),
        ("SHP", "quebec_table"), ("SHP", "quebec_chart"), ("SHP", "quebec_map"),
        ("XLSX", "quebec_table"), ("XLSX", "quebec_chart"),
        ("WMS", "quebec_map"),
    ])

    # The dataset page: the main preview (the map of the first resource) above the resource list.
    page.goto(f"{live_server}{prefix}/dataset/{dataset['name']}")
    _check_view(page, "quebec_map", resources[0], language)
    assert page.locator(".quebec-viz-main").bounding_box()["y"] < \
        page.locator("#dataset-resources").bounding_box()["y"]
    assert _axe_violations(page, ".quebec-viz-main") == []
    _shoot(page, tmp_path, f"{language}-dataset-page")
