"""The demo suggestions, votes and campaign: loaded once, in several statuses, kept on a second load."""
from __future__ import annotations

import pytest
import yaml

from ckan.tests import factories, helpers

from ckanext.quebec.participation import demo

from .conftest import PLUGINS

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false")]


def test_the_demo_loads_suggestions_in_every_status_votes_and_an_open_campaign():
    with open(demo.DATA, encoding="utf-8") as f:
        entries = yaml.safe_load(f)["suggestions"]
    for name in {entry["organization"] for entry in entries if entry.get("organization")}:
        factories.Organization(name=name)
    factories.Dataset(name="comptages-velos")

    lines = demo.load()

    found = helpers.call_action("quebec_suggestion_list", limit=100)
    assert found["count"] == len(entries) == 12
    statuses = {s["status"] for s in found["results"]}
    assert statuses == {"proposed", "forwarded", "under_review", "planned", "published", "refused"}
    assert sum(s["vote_count"] for s in found["results"]) == sum(entry["votes"] for entry in entries)
    campaign = helpers.call_action("quebec_campaign_list")[0]
    shown = helpers.call_action("quebec_campaign_show", id=campaign["id"])
    assert shown["is_open"] and shown["total_votes"] > 0
    assert [row["title"]["en"] for row in shown["results"] if row["kind"] == "entry"] == ["Bike-share station usage"]
    assert lines[-1] == "created campaign Transport et mobilité"
    assert demo.load() == ["kept suggestions (some exist)"]
