"""Who may call each action: anonymous, an outsider, a member, an editor and an admin of the target organization,
another organization's admin, a sysadmin. Every action of the plugin is in the matrix."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.quebec.participation import actions, campaigns, social

from .conftest import PLUGINS, a_suggestion

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false")]

EVERYONE = {"anonymous", "outsider", "member", "editor", "admin", "other_admin", "sysadmin"}
LOGGED_IN = EVERYONE - {"anonymous"}
ANSWERERS = {"editor", "admin", "sysadmin"}
SYSADMIN = {"sysadmin"}
# action (and a variant of its data) → who may
MATRIX = {
    "quebec_suggestion_create": LOGGED_IN,
    "quebec_suggestion_show": EVERYONE,
    "quebec_suggestion_list": EVERYONE,
    "quebec_suggestion_update_status": ANSWERERS,
    "quebec_suggestion_update_status+owner_org": SYSADMIN,
    "quebec_suggestion_moderate": SYSADMIN,
    "quebec_suggestion_merge": SYSADMIN,
    "quebec_suggestion_vote": LOGGED_IN,
    "quebec_suggestion_unvote": LOGGED_IN,
    "quebec_comment_create": LOGGED_IN,
    "quebec_comment_list": EVERYONE,
    "quebec_comment_moderate": SYSADMIN,
    "quebec_participation_optout": LOGGED_IN,
    "quebec_campaign_create": SYSADMIN,
    "quebec_campaign_show": EVERYONE,
    "quebec_campaign_list": EVERYONE,
    "quebec_campaign_entry_create": SYSADMIN,
    "quebec_campaign_close": SYSADMIN,
    "quebec_campaign_vote": LOGGED_IN,
    "quebec_campaign_unvote": LOGGED_IN,
}


def test_the_matrix_covers_every_action():
    names = {name for module in (actions, social, campaigns) for name in module.__all__}
    assert names == {key.split("+")[0] for key in MATRIX}


def test_auth_matrix(people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    elsewhere = a_suggestion(people["outsider"], owner_org=people["other_org"]["id"])
    wrong = []
    for key, allowed in MATRIX.items():
        action, _plus, variant = key.partition("+")
        data = {"id": suggestion["id"]}
        if variant:
            data[variant] = people["org"]["id"]
        for role in EVERYONE:
            user = people[role]
            context = {"user": user["name"] if user else "", "ignore_auth": False}
            try:
                tk.check_access(action, context, data)
                granted = True
            except tk.NotAuthorized:
                granted = False
            if granted != (role in allowed):
                wrong.append((key, role, granted))
    # the other organization's admin answers for that organization only
    assert helpers.call_auth("quebec_suggestion_update_status",
                             {"user": people["other_admin"]["name"], "model": None}, id=elsewhere["id"])
    assert not wrong, wrong


def test_the_api_answers_403_to_the_unauthorized(app, people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    response = app.post("/api/3/action/quebec_suggestion_update_status", json={
        "id": suggestion["id"], "status": "forwarded"}, expect_errors=True)
    assert response.status_code == 403 and response.json["success"] is False
    response = app.post("/api/3/action/quebec_suggestion_vote", json={"id": suggestion["id"]}, expect_errors=True)
    assert response.status_code == 403
