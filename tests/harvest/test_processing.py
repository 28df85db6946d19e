"""A harvested dataset gets what a hand-made one gets: quebec_quality's checks and quebec_viz's
preview, built by a real jobs worker from its CSV file on a local HTTP server."""
from __future__ import annotations

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import helpers

from tests.dcat import schema_datasets
from tests.dcat.test_import import server  # noqa: F401  (the local HTTP server fixture)

from . import queues
from .test_inbound import FEED, PLUGINS, _feed, _harvested, _source, partner  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS + " quebec_quality quebec_viz quebec_table_view"),
    pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.quebec.quality.allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "true"),
    pytest.mark.ckan_config("ckanext.quebec.viz.allow_private_urls", "true"),
]

CSV = "troncon,longueur_km\nA-1,2.5\nA-2,4.0\nB-1,1.25\n".encode("utf-8")


def _processed(dataset_id: str) -> dict:
    """What the jobs made of a dataset: its quality and its CSV resource's preview."""
    shown = helpers.call_action("package_show", id=dataset_id)
    csv = next(r for r in shown["resources"] if r["format"] == "CSV")
    preview = helpers.call_action("quebec_viz_preview_show", resource_id=csv["id"])
    checks = helpers.call_action("quebec_quality_show", id=dataset_id)["resources"]
    return {"validation": shown["quebec_quality"]["validation"],
            "link": next(c["link"]["status"] for c in checks if c["id"] == csv["id"]),
            "preview": (preview["state"], preview["rows_kept"],
                        [column["kind"] for column in preview["columns"]])}


def test_a_harvested_dataset_is_checked_and_previewed_like_a_hand_made_one(partner):
    partner["server"].routes["/pistes.csv"] = (CSV, "text/csv")
    url = partner["server"].base + "/pistes.csv"
    origin = dict(partner["datasets"][0], resources=[
        dict(resource, url=url) if resource["format"] == "CSV" else resource
        for resource in partner["datasets"][0]["resources"]])
    partner["server"].routes[FEED] = (_feed([origin]), "text/turtle")
    hand_made = schema_datasets.create(
        partner["org"]["id"], name="fait-main", title_translated={"fr": "Fait main", "en": "Hand-made"},
        resources=[
        dict(schema_datasets.dataset_dict("")["resources"][0], url=url)])

    job = queues.run_job(_source(partner)["id"], partner["admin"]["name"])
    Worker(["default"]).work(burst=True)

    assert job["stats"]["added"] == 1
    harvested = next(d for d in _harvested(partner["org"]["id"]).values() if d["id"] != hand_made["id"])
    expected = _processed(hand_made["id"])
    assert expected["preview"][:2] == ("ready", 3) and expected["link"] == 200, expected
    assert _processed(harvested["id"]) == expected
