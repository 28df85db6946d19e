"""The reuse actions: submission with an image, approval by a sysadmin or the datasets' publishers, facets, who may do what."""
from __future__ import annotations

import io
import os

import pytest
from PIL import Image

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.quebec.reuses import store

from .conftest import REUSES_PLUGINS, as_user, png, reuse_fields, upload

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", REUSES_PLUGINS)]


def test_a_citizens_reuse_is_public_once_a_publisher_approves_it(publisher_dataset):
    publisher, dataset = publisher_dataset
    citizen, stranger = factories.User(), factories.User()
    reuse = helpers.call_action("quebec_reuse_create", as_user(citizen),
                                image_upload=upload(png()), **reuse_fields(["velos"]))
    assert reuse["state"] == "pending" and reuse["datasets"] == [dataset["id"]]
    assert reuse["categories"] == ["transport"] and reuse["organizations"] == ["ville"]
    with Image.open(store.image_path(reuse["image"])) as image:
        assert image.size == (800, 450)
    for user in (None, stranger):
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action("quebec_reuse_show", as_user(user), id=reuse["id"])
    assert helpers.call_action("quebec_reuse_show", as_user(citizen), id=reuse["id"])["state"] == "pending"
    assert helpers.call_action("quebec_reuse_search", as_user(None))["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("quebec_reuse_approve", as_user(citizen), id=reuse["id"])

    helpers.call_action("quebec_reuse_approve", as_user(publisher), id=reuse["id"])
    found = helpers.call_action("quebec_reuse_search", as_user(None), dataset="velos")
    assert [item["id"] for item in found["results"]] == [reuse["id"]]
    assert found["facets"] == {"reuse_type": {"visualisation": 1}, "categories": {"transport": 1},
                               "organizations": {"ville": 1}}
    assert helpers.call_action("quebec_reuse_search", as_user(None), reuse_type="article")["count"] == 0
    helpers.call_action("quebec_reuse_delete", id=reuse["id"])
    assert not os.path.exists(store.image_path(reuse["image"]))


@pytest.mark.parametrize("data, filename", [(b"%PDF-1.4 not an image", "capture.png"),
                                            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg"),
                                            (png()[:200], "truncated.png")])
def test_a_non_image_upload_is_refused_and_nothing_is_stored(publisher_dataset, data, filename):
    citizen = factories.User()
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("quebec_reuse_create", as_user(citizen), image_upload=upload(data, filename),
                            **reuse_fields(["velos"]))
    assert error.value.error_dict["image_upload"] == ["Must be a PNG, JPEG, GIF or WebP image"]
    assert helpers.call_action("quebec_reuse_search", as_user(factories.Sysadmin()),
                               include_pending=True)["count"] == 0


def test_an_oversized_image_is_refused(publisher_dataset, monkeypatch):
    monkeypatch.setattr("ckanext.quebec.reuses.validation.IMAGE_MAX_BYTES", 1000)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("quebec_reuse_create", as_user(factories.User()), image_upload=upload(png()),
                            **reuse_fields(["velos"]))
    assert "at most" in error.value.error_dict["image_upload"][0]


def test_a_private_dataset_is_not_revealed():
    organization = factories.Organization()
    member = factories.User()
    helpers.call_action("organization_member_create", id=organization["id"], username=member["name"],
                        role="member")
    private = factories.Dataset(owner_org=organization["id"], private=True)
    public = factories.Dataset()
    with pytest.raises(tk.ValidationError):
        helpers.call_action("quebec_reuse_create", as_user(factories.User()),
                            **reuse_fields([private["name"]]))
    reuse = helpers.call_action("quebec_reuse_create", as_user(member),
                                **reuse_fields([private["name"], public["name"]]))
    assert reuse["organizations"] == []  # only the publishers of public datasets are named
    helpers.call_action("quebec_reuse_approve", id=reuse["id"])
    assert helpers.call_action("quebec_reuse_show", as_user(None), id=reuse["id"])["datasets"] == [public["id"]]
    assert helpers.call_action("quebec_reuse_show", as_user(member), id=reuse["id"])["datasets"] == \
        [private["id"], public["id"]]


def test_auth_matrix(publisher_dataset):
    """anonymous, a citizen, the submitter, a publisher of another organization, the datasets' publisher, a sysadmin."""
    publisher, _ = publisher_dataset
    submitter, citizen, sysadmin = factories.User(), factories.User(), factories.Sysadmin()
    other_publisher = factories.User()
    factories.Organization(users=[{"name": other_publisher["name"], "capacity": "admin"}])
    reuse = helpers.call_action("quebec_reuse_create", as_user(submitter), **reuse_fields(["velos"]))
    reading = {"quebec_reuse_show", "quebec_reuse_search"}
    reviewing = {"quebec_reuse_approve", "quebec_reuse_reject"}
    expected = {None: reading, "citizen": reading | {"quebec_reuse_create"},
                "submitter": reading | {"quebec_reuse_create"},
                "other_publisher": reading | {"quebec_reuse_create"},
                "publisher": reading | reviewing | {"quebec_reuse_create"},
                "sysadmin": reading | reviewing | {"quebec_reuse_create", "quebec_reuse_delete"}}
    users = {None: None, "citizen": citizen, "submitter": submitter, "other_publisher": other_publisher,
             "publisher": publisher, "sysadmin": sysadmin}
    actions = reading | reviewing | {"quebec_reuse_create", "quebec_reuse_delete"}
    for who, user in users.items():
        for action in sorted(actions):
            try:
                allowed = helpers.call_auth(action, {"user": user["name"] if user else ""}, id=reuse["id"])
            except tk.NotAuthorized:
                allowed = False
            assert allowed == (action in expected[who]), (who, action)
