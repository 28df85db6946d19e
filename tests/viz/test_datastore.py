"""Previews read from CKAN's DataStore (the real datastore plugin), and rebuilt when a table comes or goes.

The DataStore needs its own database and a read-only user, as in
production: ``ckan.datastore.write_url`` and ``ckan.datastore.read_url``
(test.ini, or CKAN_DATASTORE_WRITE_URL / CKAN_DATASTORE_READ_URL), which
``scripts/portal test`` creates and sets for each CKAN version.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.quebec.viz import storage

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues"),
    pytest.mark.ckan_config(
        "ckan.plugins",
        "datastore quebec_search quebec_viz quebec_table_view quebec_chart_view quebec_map_view"),
    pytest.mark.ckan_config("ckanext.quebec.viz.max_rows", "3"),
]

FILE = b"station,valeur\nfichier-1,10\nfichier-2,20\n"
FIELDS = [{"id": "station", "type": "text"}, {"id": "valeur", "type": "numeric"},
          {"id": "compte", "type": "int4"}, {"id": "mesure", "type": "timestamp"},
          {"id": "actif", "type": "bool"}, {"id": "latitude", "type": "float8"},
          {"id": "longitude", "type": "float8"}]
RECORDS = [
    {"station": "A", "valeur": 1.5, "compte": 3, "mesure": "2024-01-01T08:00:00", "actif": True,
     "latitude": 46.81, "longitude": -71.21},
    {"station": "B", "valeur": 2.5, "compte": 4, "mesure": "2024-01-02T08:00:00", "actif": False,
     "latitude": 45.50, "longitude": -73.57},
    {"station": "C", "valeur": None, "compte": 5, "mesure": "2024-01-03T08:00:00", "actif": True,
     "latitude": 48.45, "longitude": -68.52},
    # beyond the 3 rows kept: counted in the statistics all the same
    {"station": "DD", "valeur": 100, "compte": 6, "mesure": "2024-01-04T08:00:00", "actif": True,
     "latitude": 46.35, "longitude": -72.55},
    {"station": "E", "valeur": -4, "compte": 7, "mesure": None, "actif": None,
     "latitude": None, "longitude": None},
]


def test_a_datastore_table_is_previewed_from_the_datastore_until_it_is_deleted(
        upload, run_jobs, app):
    dataset = factories.Dataset()
    resource = upload(dataset["id"], "mesures.csv", FILE)
    run_jobs()
    assert helpers.call_action("quebec_viz_preview_show",
                               resource_id=resource["id"])["source"] == "file"

    # the DataStore gets the table (as xloader or datapusher would): a new preview is queued
    helpers.call_action("datastore_create", resource_id=resource["id"], force=True,
                        fields=FIELDS, records=RECORDS)
    assert storage.is_pending(resource["id"])
    run_jobs()

    preview = helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])
    assert preview["state"] == "ready" and preview["source"] == "datastore"
    assert (preview["rows_total"], preview["rows_kept"], preview["rows_capped"]) == (5, 3, True)
    columns = {column["name"]: column for column in preview["columns"]}
    assert [(name, column["type"], column["kind"]) for name, column in columns.items()] == [
        ("station", "text", "text"), ("valeur", "numeric", "number"), ("compte", "int4", "number"),
        ("mesure", "timestamp", "datetime"), ("actif", "bool", "boolean"),
        ("latitude", "float8", "number"), ("longitude", "float8", "number")]
    # statistics over the 5 rows of the table, not the 3 kept ("distinct" is an estimate)
    stats = {name: dict(column["stats"], distinct=None) for name, column in columns.items()}
    assert stats["valeur"] == {"values": 4, "empty": 1, "distinct": None, "min": -4.0,
                               "max": 100.0, "mean": 25.0}
    assert stats["station"] == {"values": 5, "empty": 0, "distinct": None,
                                "min_length": 1, "max_length": 2}
    assert stats["actif"] == {"values": 4, "empty": 1, "distinct": None, "true": 3, "false": 1}
    assert columns["mesure"]["stats"]["max"] == "2024-01-04T08:00:00"
    assert preview["stats_scope"] == "datastore"
    assert preview["geo"]["source"] == "columns" and preview["geo"]["features_kept"] == 3

    rows = helpers.call_action("quebec_viz_rows", resource_id=resource["id"])
    assert rows["rows"] == [
        [1, "A", 1.5, 3, "2024-01-01T08:00:00", True, 46.81, -71.21],
        [2, "B", 2.5, 4, "2024-01-02T08:00:00", False, 45.5, -73.57],
        [3, "C", None, 5, "2024-01-03T08:00:00", True, 48.45, -68.52]]
    page = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}")
    assert "Read from the DataStore." in page.body

    # rows added to the table: built again
    helpers.call_action("datastore_upsert", resource_id=resource["id"], force=True,
                        method="insert", records=[{"station": "F", "valeur": 1}])
    run_jobs()
    assert helpers.call_action("quebec_viz_preview_show",
                               resource_id=resource["id"])["rows_total"] == 6

    # the table deleted: back to the file
    helpers.call_action("datastore_delete", resource_id=resource["id"], force=True)
    assert storage.is_pending(resource["id"])
    run_jobs()
    preview = helpers.call_action("quebec_viz_preview_show", resource_id=resource["id"])
    assert preview["source"] == "file" and preview["rows_total"] == 2
    assert [column["name"] for column in preview["columns"]] == ["station", "valeur"]
