"""The dataset and resource pages of quebec_theme: the schema's fields as a visitor reads them (issue 22, item 4)."""
from __future__ import annotations

import json
import re

import pytest

from ckan.tests import helpers

from tests.browser.test_theme_pages import SERVED
from tests.demo.conftest import small_catalogue  # noqa: F401 (fixture)
from tests.security.conftest import activity_tables  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables"),
    pytest.mark.ckan_config("ckan.plugins", SERVED),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
    pytest.mark.ckan_config("ckanext.quebec.viz.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"),
]


def _rows(body: str) -> dict[str, str]:
    """The additional information table's rows: label -> value as text (a script's data left out)."""
    body = re.sub(r"<script[^>]*>.*?</script>", "", body, flags=re.S)
    rows = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", body, re.S)
    def text(html: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return {text(label): text(value) for label, value in rows}


def test_resource_and_dataset_pages_show_values_as_a_visitor_reads_them(app, small_catalogue):  # noqa: F811
    from ckanext.quebec.demo import loader

    loader.load(small_catalogue("bornes-de-recharge", "comptages-velos"))
    dataset = helpers.call_action("package_show", id="bornes-de-recharge")
    resource = dataset["resources"][0]
    site_user = helpers.call_action("get_site_user")["name"]
    helpers.call_action("resource_patch", {"user": site_user}, id=resource["id"], taille_entier="1234.072")
    path = f"/dataset/bornes-de-recharge/resource/{resource['id']}"
    # numbers in the visitor's locale, every digit kept
    french, english = _rows(app.get(path).body), _rows(app.get("/en" + path).body)
    # (the thousands separator, a narrow no-break space, read as a space)
    assert french["Taille (Mo)"] == "1 234,072" and english["Size (MB)"] == "1,234.072"
    # the optional fields left empty are left out
    assert "Description des champs" not in french and "Data dictionary" not in english
    page = app.get("/dataset/bornes-de-recharge").body
    rows = _rows(page)
    assert "Méthodologie" not in rows and "Fin de la couverture temporelle" not in rows
    assert rows["Début de la couverture temporelle"] == "2019-01-01"
    # the GeoJSON extent as a small map, then the territories and the bounds in the visitor's
    # language (its text alternative), not JSON
    assert rows["Couverture géographique (GeoJSON)"] == (
        "Laval (ville) Latitude 45,51 à 45,7, longitude -73,89 à -73,52 "
        "Fond de carte : © les contributeurs d’OpenStreetMap")
    assert 'class="quebec-extent-map" aria-hidden="true" data-tiles="http://127.0.0.1:9/{z}/{x}/{y}.png"' in page
    geojson = re.search(r'<script type="application/json" class="quebec-extent-geojson">(.*?)</script>', page, re.S)
    assert json.loads(geojson.group(1))["type"] == "Polygon"
    assert "coordinates" not in page.split("application/ld+json")[0].replace(geojson.group(0), "")
    english_rows = _rows(app.get("/en/dataset/bornes-de-recharge").body)
    assert english_rows["Geographic coverage (GeoJSON)"] == (
        "Laval (city) Latitude 45.51 to 45.7, longitude -73.89 to -73.52 "
        "Background map: © OpenStreetMap contributors")
