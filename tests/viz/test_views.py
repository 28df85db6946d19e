"""The views in CKAN's pages: the dataset page's main preview, each view, the chart settings form."""
from __future__ import annotations

import json
import re

import pytest

from ckan.tests import factories, helpers

from .conftest import viz_marks

pytestmark = viz_marks()


def _settings(html: str) -> list[dict]:
    return [json.loads(found) for found in re.findall(
        r'<script type="application/json" class="quebec-viz-settings">(.*?)</script>', html, re.S)]


def test_dataset_page_shows_the_map_of_its_first_data_resource(app, upload, run_jobs):
    dataset = factories.Dataset()
    factories.Resource(package_id=dataset["id"], url="https://example.org/guide.pdf", format="PDF")
    resource = upload(dataset["id"], "radars-photo.csv")
    page = app.get(f"/dataset/{dataset['name']}").body
    assert "The preview of this resource is being prepared" in page

    run_jobs()
    page = app.get(f"/dataset/{dataset['name']}").body
    assert page.index('class="quebec-viz-main"') < page.index('id="dataset-resources"')
    (settings,) = _settings(page)
    assert settings["viewType"] == "quebec_map" and settings["resourceId"] == resource["id"]
    assert settings["bbox"] == [-75.48288, 45.32549, -71.28475, 46.89334]
    assert settings["labels"]["tilesFailed"]
    assert "24 rows." in page


def test_each_view_on_the_resource_page(app, upload, run_jobs):
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "radars-photo.csv")
    run_jobs()
    views = {view["view_type"]: view for view in
             helpers.call_action("resource_view_list", id=resource["id"])}
    assert set(views) == {"quebec_table", "quebec_chart", "quebec_map"}
    for view_type, view in views.items():
        page = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}").body
        assert f'data-quebec-viz="{view_type}"' in page
        (settings,) = _settings(page)
        assert settings["viewType"] == view_type
        if view_type == "quebec_table":
            assert page.count('aria-sort="none"') == 8
            assert "Column types and statistics" in page
        if view_type == "quebec_chart":
            assert settings["chart"]["chart_type"] == "line"
            assert '<canvas role="img"' in page and "Data of the chart" in page
            assert "Chosen automatically from the file&#39;s columns: the sum of limite_vitesse_km_h by" in page
        if view_type == "quebec_map":
            assert settings["tiles"]["url"] and "Features of the map" in page
            # the tiles' attribution in the page's language (#22)
            assert settings["tiles"]["attribution"] == "© OpenStreetMap contributors"
            french = app.get(f"/fr/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}").body
            assert _settings(french)[0]["tiles"]["attribution"] == "© les contributeurs d’OpenStreetMap"


def test_error_is_said_in_the_page_and_the_rest_works(app, upload, run_jobs):
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "page.csv", b"<!DOCTYPE html><html><body>Not found</body></html>")
    run_jobs()
    assert helpers.call_action("resource_view_list", id=resource["id"]) == []
    view = helpers.call_action("resource_view_create", resource_id=resource["id"],
                               view_type="quebec_table", title="Table")
    page = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}")
    assert page.status_code == 200
    assert "This preview cannot be shown." in page.body
    assert "The file is an HTML page, not CSV data" in page.body
    assert "quebec-viz-settings" not in page.body


def test_chart_form_and_settings_validated_and_saved(app, upload, run_jobs):
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "radars-photo.csv")
    run_jobs()
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("resource_view_create", resource_id=resource["id"],
                            view_type="quebec_chart", title="Graphique", x_column="absente")
    assert "x_column" in error.value.error_dict
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("resource_view_create", resource_id=resource["id"],
                            view_type="quebec_chart", title="Graphique", chart_type="radar")
    assert "chart_type" in error.value.error_dict
    view = helpers.call_action("resource_view_create", resource_id=resource["id"],
                               view_type="quebec_chart", title="Par type", chart_type="pie",
                               x_column="type_appareil", aggregate="count")
    assert (view["chart_type"], view["x_column"], view["aggregate"]) == ("pie", "type_appareil", "count")


    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    page = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/new_view?view_type=quebec_chart",
                   headers={"Authorization": token}).body
    assert 'name="x_column"' in page and '<option value="type_appareil"' in page
    assert 'name="chart_type"' in page and '<option value="doughnut"' in page


def test_map_view_says_what_its_points_are(app, upload, run_jobs):
    """The map view's optional "what the points are" (fr/en) names its clusters ("29 trees", #22)."""
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "radars-photo.csv")
    run_jobs()
    view = next(view for view in helpers.call_action("resource_view_list", id=resource["id"])
                if view["view_type"] == "quebec_map")  # made by the preview job
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("resource_view_update", **dict(view, points_fr="x" * 61))
    assert error.value.error_dict["points_fr"] == ["At most 60 characters"]
    view = helpers.call_action("resource_view_update", **dict(view, points_fr=" radars photo ",
                                                              points_en="speed cameras"))
    assert (view["points_fr"], view["points_en"]) == ("radars photo", "speed cameras")
    page = f"/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}"
    assert _settings(app.get("/fr" + page).body)[0]["points"] == "radars photo"
    assert _settings(app.get("/en" + page).body)[0]["points"] == "speed cameras"
    # the dataset page's main preview is that map, named the same way
    assert _settings(app.get(f"/en/dataset/{dataset['id']}").body)[0]["points"] == "speed cameras"
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    form = app.get(f"/en/dataset/{dataset['id']}/resource/{resource['id']}/edit_view/{view['id']}",
                   headers={"Authorization": token}).body
    assert 'name="points_fr" value="radars photo"' in form and "What the points are, in English (plural)" in form
