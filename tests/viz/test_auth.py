"""Who may read a preview and its data, and who may rebuild it: the auth matrix, and the data endpoint over HTTP."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories, helpers

from .conftest import viz_marks

pytestmark = viz_marks()

READ_ACTIONS = ("quebec_viz_preview_show", "quebec_viz_rows", "quebec_viz_chart_data",
                "quebec_viz_features")
ROLES = ("anonymous", "member", "editor", "admin", "sysadmin")
# public dataset / private dataset
MAY_READ = {"anonymous": (True, False), "member": (True, True), "editor": (True, True),
            "admin": (True, True), "sysadmin": (True, True)}
MAY_BUILD = {"anonymous": (False, False), "member": (False, False), "editor": (True, True),
             "admin": (True, True), "sysadmin": (True, True)}


@pytest.fixture
def world():
    users = {role: factories.User() for role in ("member", "editor", "admin")}
    users["sysadmin"] = factories.Sysadmin()
    organization = factories.Organization(users=[
        {"name": users[role]["name"], "capacity": role} for role in ("member", "editor", "admin")])
    resources = {}
    for private in (False, True):
        dataset = factories.Dataset(owner_org=organization["id"], private=private)
        resources[private] = factories.Resource(package_id=dataset["id"],
                                                url="https://example.org/a.csv", format="CSV")
    return users, resources


def _allowed(action: str, user: dict | None, resource_id: str) -> bool:
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(action, context, resource_id=resource_id)
    except helpers.logic.NotAuthorized:
        return False
    return True


def test_auth_matrix(world):
    users, resources = world
    for role in ROLES:
        user = users.get(role)
        for index, private in enumerate((False, True)):
            resource_id = resources[private]["id"]
            for action in READ_ACTIONS:
                assert _allowed(action, user, resource_id) is MAY_READ[role][index], (role, action, private)
            assert _allowed("quebec_viz_preview_build", user, resource_id) is MAY_BUILD[role][index], \
                (role, private)


def test_private_data_does_not_leak_through_the_endpoint(app, upload, run_jobs):
    member, stranger = factories.User(), factories.User()
    organization = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    dataset = factories.Dataset(owner_org=organization["id"], private=True)
    resource = upload(dataset["id"], "secret.csv", b"nom,montant\nConfidentiel,123456\nSecret,654321\n")
    run_jobs()
    tokens = {name: factories.APIToken(user=name)["token"] for name in (member["name"], stranger["name"])}

    for action in READ_ACTIONS:
        url = f"/api/3/action/{action}?resource_id={resource['id']}"
        for headers in ({}, {"Authorization": tokens[stranger["name"]]}):
            response = app.get(url, headers=headers, status=403)
            assert "Confidentiel" not in response.body and "123456" not in response.body
        allowed = app.get(url, headers={"Authorization": tokens[member["name"]]}, status=200)
        assert allowed.json["success"] is True
    rows = app.get(f"/api/3/action/quebec_viz_rows?resource_id={resource['id']}",
                   headers={"Authorization": tokens[member["name"]]}).json["result"]["rows"]
    assert rows == [[1, "Confidentiel", 123456], [2, "Secret", 654321]]
