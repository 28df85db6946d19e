"""Migration 0003 (campaign entries) goes down to 0002, keeping the votes for suggestions, and up again."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers

from .conftest import PLUGINS, a_suggestion

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false")]


def _campaign_votes() -> list[tuple]:
    model.Session.remove()
    found = [tuple(row) for row in model.Session.execute(sa.text(
        "SELECT suggestion_id, user_id FROM quebec_participation_campaign_vote ORDER BY suggestion_id"))]
    model.Session.remove()  # no transaction left holding the table: the migration back up would wait on it
    return found


def test_entries_go_down_and_up_again(people, migrate_db_for):
    suggestion = a_suggestion(people["outsider"])
    sysadmin, voter = {"user": people["sysadmin"]["name"]}, {"user": people["member"]["name"]}
    campaign = helpers.call_action("quebec_campaign_create", dict(sysadmin), title={"fr": "T"},
                                   description={"fr": "D"}, opens="2020-01-01", closes="2999-01-01",
                                   max_votes=2, candidates=[suggestion["id"]])
    shown = helpers.call_action("quebec_campaign_entry_create", dict(sysadmin), id=campaign["id"],
                                title={"fr": "E"}, description={"fr": "D"})
    (entry,) = [row for row in shown["results"] if row["kind"] == "entry"]
    helpers.call_action("quebec_campaign_vote", dict(voter), id=campaign["id"], entry_id=entry["id"])
    helpers.call_action("quebec_campaign_vote", dict(voter), id=campaign["id"], suggestion_id=suggestion["id"])
    model.Session.remove()
    try:
        migrate_db_for("quebec_participation", "0002_suggestion_vote_count", False)
        assert not sa.inspect(model.ensure_engine()).has_table("quebec_participation_campaign_entry")
        assert _campaign_votes() == [(suggestion["id"], people["member"]["id"])]
    finally:
        migrate_db_for("quebec_participation")
    model.Session.remove()
    shown = helpers.call_action("quebec_campaign_entry_create", dict(sysadmin), id=campaign["id"],
                                title={"fr": "E2"}, description={"fr": "D"})
    (entry,) = [row for row in shown["results"] if row["kind"] == "entry"]
    voted = helpers.call_action("quebec_campaign_vote", dict(voter), id=campaign["id"], entry_id=entry["id"])
    assert sorted(voted["my_votes"]) == sorted([suggestion["id"], entry["id"]])
