"""CKAN core actions that answered malformed ids, flags and paging with a 500 (schema/core_guards.py).

Each case was a server error on CKAN 2.12.0 and 2.11.6 without the guard.
"""
from __future__ import annotations

import json

import pytest

from ckan.tests import factories

from .test_api import PLUGINS, _check_answer, activity_tables  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
]

BAD_IDS = [["x"], 1, {"id": "x"}, "a\x00b"]
CASES = (
    [(action, {"id": bad}) for action in ("package_show", "resource_show", "package_delete",
                                          "resource_delete", "organization_delete",
                                          "group_delete")
     for bad in BAD_IDS]
    + [("organization_list", {"all_fields": bad}) for bad in ("", "junk", [1], {})]
    + [("group_list", {"all_fields": ""}), ("group_list", {"limit": "x"}),
       ("organization_list", {"offset": -1}), ("organization_list", {"limit": [1]})]
    + [("user_show", {"id": bad}) for bad in BAD_IDS]
    + [("member_list", {"id": ["x"]}), ("resource_view_list", {"id": {"a": 1}})]
)


@pytest.fixture
def token():
    return factories.SysadminWithToken()["token"]


def _refusal(app, action: str, params: dict, headers: dict) -> str | None:
    """What is wrong with core's answer to malformed ``params``, if anything."""
    response = app.post(f"/api/3/action/{action}", data=json.dumps(params), headers=headers)
    try:
        _check_answer(response)
        assert response.status_code in (403, 404, 409), response.get_data(as_text=True)[:300]
    except AssertionError as error:
        return f"{action} {params!r}: {error}"
    return None


@pytest.mark.parametrize("role", ("anonymous", "sysadmin"))
def test_malformed_parameters_are_refused(app, token, role):
    headers = {"Content-Type": "application/json"}
    if role == "sysadmin":
        headers["Authorization"] = token
    failures = [failure for action, params in CASES
                if (failure := _refusal(app, action, params, headers))]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("action", ("organization_show", "group_show"))
def test_empty_include_datasets_is_refused_in_the_users_language(app, action):
    group = (factories.Organization if action == "organization_show" else factories.Group)()
    for language, message in (("fr", "Doit être true ou false"), ("en", "Must be true or false")):
        response = app.get(f"/{language}/api/3/action/{action}",
                           query_string={"id": group["id"], "include_datasets": ""})
        assert response.status_code == 409, response.get_data(as_text=True)
        assert response.json["error"]["include_datasets"] == [message]


def test_good_parameters_still_reach_core(app):
    organization = factories.Organization()
    response = app.get("/api/3/action/organization_show",
                       query_string={"id": organization["name"], "include_datasets": "true"})
    assert response.json["result"]["id"] == organization["id"]
    listed = app.get("/api/3/action/organization_list",
                     query_string={"all_fields": "1", "limit": "5", "offset": "0"}).json
    assert [item["id"] for item in listed["result"]] == [organization["id"]]
