"""Categories and CKAN groups in step: the categories field is the source of truth,
and group memberships changed through the groups' own actions flow back into it."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers as th

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]


@pytest.fixture
def groups(with_plugins, clean_db):
    for name in ("transport", "sante", "gouvernement-finances"):
        factories.Group(name=name)
    return factories.Group(name="coups-de-coeur")  # not a category


@pytest.fixture
def editor(groups):
    """An organization editor who belongs to no group."""
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"user": user, "org": org}


def _groups_of(name: str) -> list[str]:
    return sorted(group["name"] for group in th.call_action("package_show", id=name)["groups"])


def _indexed_in(group: str) -> list[str]:
    return [d["name"] for d in th.call_action("package_search", fq=f"groups:{group}")["results"]]


def test_an_editor_categories_put_the_dataset_in_their_groups(editor):
    context = {"user": editor["user"]["name"], "ignore_auth": False}
    created = th.call_action("package_create", context=dict(context), **dataset_dict(
        editor["org"]["id"], categories=["transport", "sante"]))
    assert _groups_of(created["name"]) == ["sante", "transport"]
    assert _indexed_in("sante") == [created["name"]]

    th.call_action("package_patch", context=dict(context), id=created["id"],
                   categories=["gouvernement-finances"])
    assert _groups_of(created["name"]) == ["gouvernement-finances"]
    assert _indexed_in("sante") == []
    assert _indexed_in("gouvernement-finances") == [created["name"]]


def test_groups_that_are_not_categories_are_left_alone(editor, groups):
    created = th.call_action("package_create", **dataset_dict(editor["org"]["id"]))
    th.call_action("member_create", id=groups["id"], object=created["id"],
                   object_type="package", capacity="public")
    th.call_action("package_patch", id=created["id"], categories=["sante"])
    assert _groups_of(created["name"]) == ["coups-de-coeur", "sante"]
    assert th.call_action("package_show", id=created["id"])["categories"] == ["sante"]


def test_a_category_without_its_group_is_skipped(editor):
    created = th.call_action("package_create", **dataset_dict(
        editor["org"]["id"], categories=["transport", "societe-culture"]))
    assert created["categories"] == ["societe-culture", "transport"]
    assert _groups_of(created["name"]) == ["transport"]


def test_adding_to_a_category_group_adds_the_category(editor):
    created = th.call_action("package_create", **dataset_dict(editor["org"]["id"]))
    th.call_action("member_create", id="sante", object=created["name"],
                   object_type="package", capacity="public")
    shown = th.call_action("package_show", id=created["id"])
    assert shown["categories"] == ["sante", "transport"]
    assert _indexed_in("sante") == [created["name"]]
    found = th.call_action("package_search", fq="categories:sante")["results"]
    assert [d["name"] for d in found] == [created["name"]]

    th.call_action("member_delete", id="transport", object=created["id"], object_type="package")
    shown = th.call_action("package_show", id=created["id"])
    assert shown["categories"] == ["sante"]
    assert _groups_of(created["name"]) == ["sante"]
    assert th.call_action("package_search", fq="categories:transport")["count"] == 0


def test_groups_without_categories_give_the_categories(editor):
    dataset = dataset_dict(editor["org"]["id"], groups=[{"name": "sante"}, {"name": "coups-de-coeur"}])
    dataset.pop("categories")
    # a sysadmin: core adds a dataset only to the groups its user may edit
    sysadmin = factories.Sysadmin()
    created = th.call_action("package_create", context={"user": sysadmin["name"]}, **dataset)
    assert created["categories"] == ["sante"]
    assert _groups_of(created["name"]) == ["coups-de-coeur", "sante"]


def test_the_group_page_lists_the_dataset(app, editor):
    th.call_action("package_create", **dataset_dict(editor["org"]["id"], categories=["sante"]))
    page = app.get("/group/sante").body
    assert "/dataset/pistes-cyclables" in page
    assert "/dataset/pistes-cyclables" not in app.get("/group/transport").body
