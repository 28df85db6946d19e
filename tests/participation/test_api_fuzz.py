"""Every parameter of every quebec_participation action and page, sent bad values: never a server error,
an error object with a clear message, and nothing written by a refused call."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from tests.api_calls import send

from .conftest import PLUGINS, a_suggestion

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false"),
              pytest.mark.ckan_config("ckanext.quebec.participation.rate_limit", "0")]

TEXT_VALUES = ["", "\x00", "1.5", "9" * 40, "<script>", "\u202e", "é" * 5000, ["a", "b"]]
JSON_VALUES = [None, True, 1.5, [], ["a"], {"a": 1}, {"fr": "x" * 6000}, "a\x00"]
TABLES = ("suggestion", "status", "vote", "comment", "campaign", "campaign_candidate", "campaign_entry",
          "campaign_vote", "optout")
COUNTS = sa.text("SELECT " + ", ".join(f"(SELECT count(*) FROM quebec_participation_{t})" for t in TABLES))
READ_ONLY = {"quebec_suggestion_show", "quebec_suggestion_list", "quebec_comment_list", "quebec_campaign_show",
             "quebec_campaign_list"}


def _parameters(ids: dict) -> dict[str, dict]:
    """action → its good parameters; each is sent bad values one at a time."""
    translated = {"fr": "Un texte"}
    return {
        "quebec_suggestion_create": {"title": translated, "description": translated, "category": "transport",
                                     "reason": "other", "territories": ["quebec"], "owner_org": ids["org"]},
        "quebec_suggestion_show": {"id": ids["suggestion"]},
        "quebec_suggestion_list": {"q": "x", "status": "proposed", "category": "transport", "territory": "quebec",
                                   "organization": ids["org"], "sort": "votes", "include_hidden": False,
                                   "limit": 5, "offset": 0},
        "quebec_suggestion_update_status": {"id": ids["suggestion"], "status": "forwarded", "answer": translated,
                                            "datasets": [ids["dataset"]], "owner_org": ids["org"]},
        "quebec_suggestion_moderate": {"id": ids["suggestion"], "hidden": False, "reason": "x"},
        "quebec_suggestion_merge": {"id": ids["duplicate"], "into": ids["suggestion"]},
        "quebec_suggestion_vote": {"id": ids["suggestion"]},
        "quebec_suggestion_unvote": {"id": ids["suggestion"]},
        "quebec_comment_create": {"suggestion_id": ids["suggestion"], "text": "Oui"},
        "quebec_comment_list": {"suggestion_id": ids["suggestion"], "include_hidden": False},
        "quebec_comment_moderate": {"id": ids["comment"], "hidden": False, "reason": "x"},
        "quebec_participation_optout": {"opted_out": False},
        "quebec_campaign_create": {"title": translated, "description": translated, "category": "transport",
                                   "opens": "2020-01-01", "closes": "2999-01-01", "max_votes": 3,
                                   "candidates": [ids["suggestion"]]},
        "quebec_campaign_show": {"id": ids["campaign"]},
        "quebec_campaign_list": {},
        "quebec_campaign_entry_create": {"id": ids["campaign"], "title": translated, "description": translated},
        "quebec_campaign_close": {"id": ids["other_campaign"]},
        "quebec_campaign_vote": {"id": ids["campaign"], "suggestion_id": ids["suggestion"]},
        "quebec_campaign_unvote": {"id": ids["campaign"], "entry_id": ids["entry"]},
    }


def _problem(response) -> str | None:
    if response.status_code >= 500 or response.status_code not in (200, 400, 403, 404, 409):
        return f"status {response.status_code}"
    body = response.json if response.mimetype == "application/json" else None
    if body is None:
        return "not JSON"
    if response.status_code != 200 and (body.get("success") is not False or not body.get("error")):
        return "no error object"
    return None


def _counts() -> tuple:
    model.Session.remove()
    return tuple(model.Session.execute(COUNTS).first())


@pytest.fixture
def ids(people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    duplicate = a_suggestion(people["outsider"])
    comment = helpers.call_action("quebec_comment_create", {"user": people["member"]["name"]},
                                  suggestion_id=suggestion["id"], text="Bien")
    campaign = helpers.call_action("quebec_campaign_create", {"user": people["sysadmin"]["name"]},
                                   title={"fr": "T"}, description={"fr": "D"}, opens="2020-01-01",
                                   closes="2999-01-01", max_votes=2, candidates=[suggestion["id"]])
    entry = helpers.call_action("quebec_campaign_entry_create", {"user": people["sysadmin"]["name"]},
                                id=campaign["id"], title={"fr": "E"}, description={"fr": "D"})
    (entry,) = [row for row in entry["results"] if row["kind"] == "entry"]
    return {"suggestion": suggestion["id"], "duplicate": duplicate["id"], "comment": comment["id"],
            "campaign": campaign["id"], "entry": entry["id"],
            "other_campaign": helpers.call_action("quebec_campaign_create", {"user": people["sysadmin"]["name"]},
                                                  title={"fr": "C"}, description={"fr": "D"}, opens="2020-01-01",
                                                  closes="2999-01-01", max_votes=1,
                                                  candidates=[suggestion["id"]])["id"], "org": people["org"]["id"],
            "dataset": factories.Dataset(owner_org=people["org"]["id"])["id"]}


def test_bad_api_values_never_make_a_server_error_nor_a_half_write(app, people, ids):
    # one test for every action: the set-up is the slow part
    sysadmin = {"Authorization": factories.APIToken(user=people["sysadmin"]["name"])["token"]}
    found = []
    for action, good in sorted(_parameters(ids).items()):
        for headers in [sysadmin, {}] if action == "quebec_suggestion_show" else [sysadmin]:
            for parameter in list(good) + ["unknown"]:
                sent = [(value, False) for value in TEXT_VALUES] + [(value, True) for value in JSON_VALUES]
                for value, as_json in sent:
                    before = _counts()
                    response = send(app, action, dict(good, **{parameter: value}), headers,
                                    post=as_json or action not in READ_ONLY)
                    problem = _problem(response)
                    if not problem and response.status_code != 200 and _counts() != before:
                        problem = "written though refused"
                    if problem:
                        found.append((action, parameter, repr(value)[:40], response.status_code, problem))
    assert not found, "\n".join(sorted({repr(entry) for entry in found}))


def test_the_errors_are_in_the_users_language(app, people):
    headers = {"Authorization": factories.APIToken(user=people["outsider"]["name"])["token"]}
    params = {"title": {}, "description": {"fr": "x"}, "category": "nope", "reason": "other"}
    french = app.post("/fr/api/3/action/quebec_suggestion_create", json=params, headers=headers,
                      expect_errors=True)
    assert french.status_code == 409
    assert french.json["error"]["category"] == ["Valeur inconnue : nope"]
    english = app.post("/en/api/3/action/quebec_suggestion_create", json=params, headers=headers,
                       expect_errors=True)
    assert english.json["error"]["category"] == ["Unknown value: nope"]
    for prefix, message in (("/fr", "Organisation introuvable"), ("/en", "Organization not found")):
        listed = app.get(f"{prefix}/api/3/action/quebec_suggestion_list",
                         query_string={"organization": "nowhere", "status": "lost"}, expect_errors=True)
        assert listed.status_code == 409
        assert listed.json["error"]["organization"] == [message] and listed.json["error"]["status"]


PATH_VALUES = ["1.5", "%00", "a%00b", "..", "x" * 3000, "%3Cscript%3E"]
FORM_VALUES = ["", "a\x00b", "é" * 6000]


def test_bad_page_values_never_make_a_server_error(app, people, ids):
    headers = {"Authorization": factories.APIToken(user=people["sysadmin"]["name"])["token"]}
    found = []
    for value in PATH_VALUES:
        for url in (f"/suggestions/{value}", f"/organization/suggestions/{value}"):
            response = app.get(url, headers=headers, expect_errors=True)
            if response.status_code >= 500:
                found.append((url[:50], response.status_code))
        for verb in ("vote", "unvote", "comment", "status", "moderate", "optout"):
            response = app.post(f"/suggestions/{value}/{verb}", headers=headers, expect_errors=True)
            if response.status_code >= 500:
                found.append((verb, value[:30], response.status_code))
    for field in ("q", "status", "category", "territory", "organization", "sort", "page"):
        for value in FORM_VALUES:
            response = app.get("/suggestions", query_string={field: value}, expect_errors=True)
            if response.status_code >= 500:
                found.append(("list", field, repr(value)[:30], response.status_code))
    for field in ("title-fr", "description-en", "category", "reason", "territories", "owner_org"):
        for value in FORM_VALUES:
            response = app.post("/suggestions/new", data={"title-fr": "T", "description-fr": "D",
                                                          "category": "transport", "reason": "other", field: value},
                                headers=headers, expect_errors=True)
            if response.status_code >= 500:
                found.append(("new", field, repr(value)[:30], response.status_code))
    for verb, fields in (("status", ("status", "answer-fr", "datasets", "owner_org")), ("comment", ("text",)),
                         ("moderate", ("hidden", "reason", "comment_id"))):
        for field in fields:
            for value in FORM_VALUES:
                response = app.post(f"/suggestions/{ids['suggestion']}/{verb}", data={field: value},
                                    headers=headers, expect_errors=True)
                if response.status_code >= 500:
                    found.append((verb, field, repr(value)[:30], response.status_code))
    assert not found, "\n".join(sorted({repr(entry) for entry in found}))
