"""Fuzzing the guide actions through the API: odd values in every field never give a 5xx.

Each call goes as a JSON POST (and a GET for read actions) by a sysadmin, and
by an anonymous visitor for the actions anyone may call; a refused value gets a 4xx with a JSON error in the
caller's language, and a refused create or update stores nothing.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from tests.api_calls import send

from .conftest import GUIDES_PLUGINS, guide_fields

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", GUIDES_PLUGINS)]

VALUES = [None, 0, -1, 1.5, True, [], ["x"], [1], [{}], {}, {"fr": "x"}, "", "  ", "\u0000",
          "a\u0000b", "x" * 100_001, "é" * 5_000, "<script>alert(1)</script>", "../../etc",
          "'; DROP TABLE quebec_guide; --", "%", "_", "2147483648"]
FIELDS = {
    "quebec_guide_create": list(guide_fields()),
    "quebec_guide_update": ["id"] + list(guide_fields()),
    "quebec_guide_publish": ["id"], "quebec_guide_unpublish": ["id"], "quebec_guide_delete": ["id"],
    "quebec_guide_revision_list": ["id"], "quebec_guide_show": ["id", "revision"],
    "quebec_guide_search": ["q", "language", "audience", "topic", "category", "dataset",
                            "include_drafts", "state", "sort", "limit", "offset"],
    "quebec_guide_editor_add": ["user"], "quebec_guide_editor_remove": ["user"],
}
READ = ("quebec_guide_show", "quebec_guide_search", "quebec_guide_revision_list")


@pytest.mark.parametrize("action", sorted(FIELDS))
def test_no_value_gives_a_server_error(app, action):
    sysadmin = factories.SysadminWithToken()
    guide = helpers.call_action("quebec_guide_create", {"user": sysadmin["name"]}, **guide_fields("cible"))
    callers = {"anonymous": {}, "sysadmin": {"Authorization": sysadmin["token"]}}
    failures = []
    for field in FIELDS[action]:
        for value in VALUES:
            base = dict(guide_fields("autre")) if action == "quebec_guide_create" else {"id": guide["id"]}
            body = dict(base, **{field: value})
            for who, headers in callers.items():
                if who == "anonymous" and action not in READ:
                    continue  # refused before its fields are read (the auth matrix)
                for post in ((False, True) if action in READ and who == "anonymous" else (True,)):
                    if not post and not isinstance(value, (str, int, float)):
                        continue
                    response = send(app, action, body, headers, post)
                    if response.status_code >= 500 or not response.is_json:
                        failures.append((who, field, repr(value)[:30], response.status_code))
                    elif response.status_code >= 400:
                        assert response.json["success"] is False and response.json["error"]
    assert failures == []
    kept = helpers.call_action("quebec_guide_show", {"user": sysadmin["name"]}, id=guide["id"]) \
        if action != "quebec_guide_delete" else None
    if kept and action == "quebec_guide_update":
        # What an accepted update stored reads back; the refused ones left no trace.
        assert len(helpers.call_action("quebec_guide_revision_list", {"user": sysadmin["name"]},
                                       id=kept["id"])) == kept["revision"]


def test_errors_speak_the_callers_language(app):
    sysadmin = factories.SysadminWithToken()
    headers = {"Authorization": sysadmin["token"]}
    body = guide_fields(title_fr=5, topic="inconnu")
    english = send(app, "quebec_guide_create", body, headers, True)
    french = app.post("/fr/api/3/action/quebec_guide_create", json=body, headers=headers)
    assert english.status_code == french.status_code == 409
    assert english.json["error"]["title_fr"] == ["Must be a text"]
    assert french.json["error"]["title_fr"] == ["Doit être un texte"]
    assert french.json["error"]["topic"] == ["Valeur inconnue : inconnu"]
    anonymous = app.post("/fr/api/3/action/quebec_guide_create", json=guide_fields())
    assert anonymous.status_code == 403
    assert "rédacteurs de guides" in anonymous.json["error"]["message"]
    missing = app.get("/fr/api/3/action/quebec_guide_show", query_string={"id": "absent"})
    assert missing.status_code == 404 and missing.json["error"]["message"].endswith("Guide introuvable")
