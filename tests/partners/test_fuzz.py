"""Fuzzing the partner actions through the API: odd values in every partner field never give a 5xx.

Each request is sent by an anonymous visitor and by a sysadmin; a value is
refused with a 4xx or stored, and what is stored reads back.
"""
from __future__ import annotations

import os

import pytest
import yaml

from ckan.tests import factories, helpers

from ckanext.quebec import resources

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "activity quebec_search scheming_organizations quebec_schema "
                                            "quebec_partners"),
]

VALUES = [None, 0, 1.5, True, [], ["gouvernement-du-quebec"], {}, {"fr": "x"}, {"fr": ["x"]},
          {"fr": {"x": 1}}, "\u0000", "a\u0000b", "x" * 100_000, "é" * 5_000, "<script>",
          "  ", "../../etc", "'; DROP TABLE \"group\"; --"]
# The partner schema's fields (core's id and type are the global fuzz's, tests/fuzz).
with open(os.path.join(resources.schemas_directory(), "organization.yaml"), encoding="utf-8") as f:
    FIELDS = [field["field_name"] for field in yaml.safe_load(f)["fields"]]


@pytest.fixture(autouse=True)
def activity_tables(clean_db, migrate_db_for):
    migrate_db_for("activity")


@pytest.fixture
def callers():
    return {"anonymous": {}, "sysadmin": {"Authorization": factories.SysadminWithToken()["token"]}}


def _post(app, action: str, body: dict, headers: dict, failures: list, field: str) -> None:
    response = app.post(f"/api/3/action/{action}", json=body, headers=headers)
    if response.status_code >= 500 or not response.is_json:
        failures.append((action, "sysadmin" if headers else "anonymous", field,
                         repr(body.get(field))[:40], response.status_code))


def _bodies(action: str, field: str, value, target: dict) -> dict:
    if action in ("organization_create", "group_create"):
        base = {"name": "fuzzed", "title_translated": {"fr": "Fuzz"}}
        if action == "group_create":
            base["type"] = "organization"
        return dict(base, **{field: value})
    if action in ("organization_update", "group_update"):
        return dict(target, **{field: value})
    return {"id": target["id"], field: value}


@pytest.mark.parametrize("action", ["organization_create", "group_create", "organization_update",
                                    "organization_patch", "group_update", "group_patch"])
def test_partner_fields_in_organization_actions(app, partners, callers, action):
    target = helpers.call_action("organization_show", id="mtq")
    failures: list = []
    for headers in callers.values():
        for field in FIELDS:
            for value in VALUES:
                _post(app, action, _bodies(action, field, value, target), headers, failures, field)
                if _exists("fuzzed"):
                    helpers.call_action("organization_purge", id="fuzzed")
    assert not failures, "\n".join(map(repr, failures))
    # Whatever was stored reads back.
    for organization in helpers.call_action("organization_list"):
        helpers.call_action("organization_show", id=organization)


def _exists(name: str) -> bool:
    from ckan import model

    model.Session.remove()
    return model.Group.by_name(name) is not None


@pytest.mark.parametrize("action, fields", [
    ("quebec_partnership_stats", ["include_private"]),
    ("package_activity_list", ["id", "limit", "offset"]),
])
def test_read_actions(app, partners, callers, action, fields):
    failures: list = []
    for headers in callers.values():
        for field in fields:
            for value in VALUES:
                body = {field: value}
                if action == "package_activity_list" and field != "id":
                    body["id"] = "no-such-dataset"
                _post(app, action, body, headers, failures, field)
    assert not failures, "\n".join(map(repr, failures))
