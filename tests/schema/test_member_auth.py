"""Who may put a dataset in a group or take it out (member_create / member_delete).

Only someone who may edit the dataset: a category group's members are the
dataset's ``categories`` field (groups.py), so a group's own members and
admins cannot rewrite another organization's metadata, private or public.
"""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers as th

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]

# user: allowed on a category group (editing the dataset is all it takes)
CATEGORY_MATRIX = {
    "anonymous": False,
    "outsider": False,
    "group_member": False,
    "group_admin": False,
    "org_editor": True,
    "sysadmin": True,
}


@pytest.fixture
def people():
    users = {role: factories.User() for role in
             ("outsider", "group_member", "group_admin", "org_editor")}
    users["sysadmin"] = factories.Sysadmin()
    for name in ("sante", "coups-de-coeur"):  # a category, and a group that is not one
        factories.Group(name=name, users=[
            {"name": users["group_member"]["name"], "capacity": "member"},
            {"name": users["group_admin"]["name"], "capacity": "admin"}])
    factories.Group(name="transport")
    org = factories.Organization(users=[{"name": users["org_editor"]["name"], "capacity": "editor"}])
    names = {role: user["name"] for role, user in users.items()}
    names["anonymous"] = ""
    return {"names": names, "org": org}


def _dataset(org: dict, private: bool) -> dict:
    return th.call_action("package_create", **dataset_dict(org["id"], private=private))


def _allowed(action: str, user: str, data_dict: dict) -> bool:
    context = {"user": user, "model": model}
    try:
        return th.call_auth(action, context, **data_dict)
    except tk.NotAuthorized:
        return False


@pytest.mark.parametrize("private", [True, False], ids=["private", "public"])
@pytest.mark.parametrize("role", list(CATEGORY_MATRIX))
def test_category_group_membership_needs_the_right_to_edit_the_dataset(people, role, private):
    dataset = _dataset(people["org"], private)
    user = people["names"][role]
    add = {"id": "sante", "object": dataset["id"], "object_type": "package", "capacity": "public"}
    remove = {"id": "transport", "object": dataset["name"], "object_type": "package"}
    assert _allowed("member_create", user, add) is CATEGORY_MATRIX[role]
    assert _allowed("member_delete", user, remove) is CATEGORY_MATRIX[role]


@pytest.mark.parametrize("private", [True, False], ids=["private", "public"])
@pytest.mark.parametrize("role, allowed", [
    ("anonymous", False), ("outsider", False), ("group_member", False),
    ("group_admin", False), ("org_editor", False), ("sysadmin", True)])
def test_other_group_membership_needs_both_rights(people, role, allowed, private):
    """A group that is no category: the right to manage the group and to edit the dataset."""
    dataset = _dataset(people["org"], private)
    user = people["names"][role]
    data = {"id": "coups-de-coeur", "object": dataset["id"], "object_type": "package"}
    assert _allowed("member_create", user, dict(data, capacity="public")) is allowed
    assert _allowed("member_delete", user, data) is allowed


def test_a_group_editor_who_edits_the_dataset_may_feature_it(people):
    dataset = _dataset(people["org"], private=False)
    editor = people["names"]["org_editor"]
    th.call_action("member_create", id="coups-de-coeur", object=editor, object_type="user",
                   capacity="member")
    assert _allowed("member_create", editor, {"id": "coups-de-coeur", "object": dataset["id"],
                                              "object_type": "package", "capacity": "public"})


def test_a_group_member_cannot_rewrite_a_private_dataset_through_the_api(app, people):
    dataset = _dataset(people["org"], private=True)
    member = factories.APIToken(user=people["names"]["group_member"])
    for action, body in (("member_create", {"id": "sante", "capacity": "public"}),
                         ("member_delete", {"id": "transport"})):
        response = app.post(f"/api/3/action/{action}",
                            json=dict(body, object=dataset["id"], object_type="package"),
                            headers={"Authorization": member["token"]}, status=403)
        assert response.json["success"] is False
    shown = th.call_action("package_show", id=dataset["id"])
    assert shown["categories"] == ["transport"]
    assert shown["metadata_modified"] == dataset["metadata_modified"]
    assert [g["name"] for g in shown["groups"]] == ["transport"]


def test_the_dataset_editor_moves_it_between_categories(people):
    dataset = _dataset(people["org"], private=True)
    context = {"user": people["names"]["org_editor"], "ignore_auth": False}
    th.call_action("member_create", context=dict(context), id="sante", object=dataset["id"],
                   object_type="package", capacity="public")
    th.call_action("member_delete", context=dict(context), id="transport",
                   object=dataset["id"], object_type="package")
    assert th.call_action("package_show", id=dataset["id"])["categories"] == ["sante"]
