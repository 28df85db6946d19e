"""The preview job, run by a real worker: extracts of uploaded and remote files, default views."""
from __future__ import annotations

import os

import pytest

from ckan.tests import factories, helpers

from ckanext.quebec.viz import storage

from .conftest import viz_marks

pytestmark = viz_marks()


def _views(resource_id: str) -> set[str]:
    return {view["view_type"] for view in
            helpers.call_action("resource_view_list", id=resource_id)}


def test_uploaded_csv_gets_an_extract_and_its_views(upload, run_jobs):
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "radars-photo.csv")
    assert helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])["state"] == "pending"

    run_jobs()

    preview = helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])
    assert preview["state"] == "ready" and not preview["pending"]
    assert preview["rows_total"] == preview["rows_kept"] == 24
    kinds = {column["name"]: column["kind"] for column in preview["columns"]}
    assert kinds["latitude"] == kinds["longitude"] == "number"
    assert kinds["limite_vitesse_km_h"] == "number" and kinds["date_mise_en_service"] == "date"
    assert preview["geo"]["features_kept"] == 24
    assert _views(resource["id"]) == {"quebec_table", "quebec_chart", "quebec_map"}
    directory = storage.extract_directory(resource["id"])
    assert sorted(os.listdir(directory)) == ["features.geojson", "meta.json", "rows.parquet"]

    # a rebuild asked for by an editor
    state = helpers.call_action("quebec_viz_preview_build", resource_id=resource["id"])
    assert state["state"] == "ready" and state["pending"] is True
    run_jobs()
    assert not storage.is_pending(resource["id"])
    assert len(helpers.call_action("resource_view_list", id=resource["id"])) == 3

    # deleting the resource removes its extract
    helpers.call_action("resource_delete", id=resource["id"])
    assert not os.path.exists(directory)


def test_a_second_build_keeps_one_view_of_each_type(upload, run_jobs):
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "zones-inondables.geojson", fmt="GeoJSON")
    run_jobs()
    helpers.call_action("resource_patch", id=resource["id"], description="Changée")
    assert storage.is_pending(resource["id"])
    run_jobs()
    views = helpers.call_action("resource_view_list", id=resource["id"])
    assert sorted(view["view_type"] for view in views) == ["quebec_chart", "quebec_map", "quebec_table"]


def test_remote_file_is_fetched_from_its_url(http_files, run_jobs):
    folder, base = http_files
    (folder / "mesures.csv").write_text(
        "date,station,valeur\n2024-01-01,A,1.5\n2024-01-02,A,2.5\n2024-01-02,B,4\n", encoding="utf-8")
    dataset = factories.Dataset()
    resource = helpers.call_action("resource_create", package_id=dataset["id"],
                                   url=f"{base}/mesures.csv", format="CSV")
    run_jobs()
    preview = helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])
    assert preview["state"] == "ready"
    assert [column["kind"] for column in preview["columns"]] == ["date", "text", "number"]
    assert preview["default_chart"] == {"chart_type": "line", "x_column": "date",
                                        "y_column": "valeur", "aggregate": "sum"}


def test_resources_given_inline_to_package_create_get_their_previews(http_files, run_jobs):
    folder, base = http_files
    (folder / "stations.csv").write_text(
        "station,latitude,longitude\nA,46.81,-71.21\nB,45.50,-73.57\n", encoding="utf-8")
    dataset = helpers.call_action("package_create", name="stations-inline", resources=[
        {"url": f"{base}/stations.csv", "format": "CSV", "name": "stations"},
        {"url": "https://example.org/rapport.pdf", "format": "PDF", "name": "rapport"}])
    csv_resource, pdf_resource = dataset["resources"]

    run_jobs()

    preview = helpers.call_action("quebec_viz_preview_show", resource_id=csv_resource["id"])
    assert preview["state"] == "ready" and preview["rows_kept"] == 2
    assert preview["geo"]["features_kept"] == 2
    assert "quebec_table" in _views(csv_resource["id"])
    pdf_preview = helpers.call_action("quebec_viz_preview_show", resource_id=pdf_resource["id"])
    assert pdf_preview["state"] == "none"


def test_resources_added_or_changed_inline_by_package_update_get_their_previews(
        http_files, upload, run_jobs):
    folder, base = http_files
    (folder / "a.csv").write_text("station,valeur\nA,1\n", encoding="utf-8")
    (folder / "b.csv").write_text("station,valeur\nA,1\nB,2\nC,3\n", encoding="utf-8")
    dataset = factories.Dataset()
    uploaded = upload(dataset["id"], "radars-photo.csv")
    shown = helpers.call_action("package_show", id=dataset["id"])
    dataset = helpers.call_action("package_update", **dict(shown, resources=shown["resources"] + [
        {"url": f"{base}/a.csv", "format": "CSV", "name": "ajoutée"}]))
    inline = dataset["resources"][1]
    assert storage.is_pending(inline["id"])
    run_jobs()
    assert helpers.call_action("quebec_viz_preview_show", resource_id=inline["id"])["rows_total"] == 1

    # a change elsewhere in the dataset builds nothing again
    helpers.call_action("package_patch", id=dataset["id"], notes="Autre description")
    assert not storage.is_pending(inline["id"]) and not storage.is_pending(uploaded["id"])

    # the inline resource's URL changed: built again
    resources = helpers.call_action("package_show", id=dataset["id"])["resources"]
    resources[1]["url"] = f"{base}/b.csv"
    helpers.call_action("package_patch", id=dataset["id"], resources=resources)
    assert storage.is_pending(inline["id"]) and not storage.is_pending(uploaded["id"])
    run_jobs()
    assert helpers.call_action("quebec_viz_preview_show", resource_id=inline["id"])["rows_total"] == 3


def test_formats_without_preview_queue_nothing(run_jobs):
    dataset = factories.Dataset()
    resource = helpers.call_action("resource_create", package_id=dataset["id"],
                                   url="https://example.org/rapport.pdf", format="PDF")
    assert helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])["state"] == "none"
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action("quebec_viz_preview_build", resource_id=resource["id"])


def test_a_build_that_dies_leaves_an_error_and_the_worker_goes_on(upload, run_jobs, ckan_config,
                                                                    monkeypatch):
    # DuckDB refuses this memory limit: the build process ends with an error
    monkeypatch.setitem(ckan_config, "ckanext.quebec.viz.memory_limit", "beaucoup")
    dataset = factories.Dataset()
    broken = upload(dataset["id"], "radars-photo.csv")
    run_jobs()
    preview = helpers.call_action("quebec_viz_preview_show", resource_id=broken["id"])
    assert preview["state"] == "error" and preview["error"]["code"] == "internal"
    assert _views(broken["id"]) == set()

    monkeypatch.setitem(ckan_config, "ckanext.quebec.viz.memory_limit", "200MB")
    fine = upload(dataset["id"], "zones-inondables.geojson", fmt="GeoJSON")
    run_jobs()
    assert helpers.call_action("quebec_viz_preview_show", resource_id=fine["id"])["state"] == "ready"
