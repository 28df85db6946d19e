"""An organization's bulk updates (private, public, deleted), made by quebec_partners as
CKAN 2.12 means to: package_patch for each dataset.

CKAN 2.12 passes package_patch a row instead of an id, which quebec_schema's
core guards refuse: the Private, Public and Delete buttons of an
organization's dataset list failed. CKAN 2.11 changes the datasets in one
statement, commits, then indexes copies it reads back from the index: an edit
in between was lost from the index, and an edit made with package_patch
(which reads the dataset from the index) put the old value back in the
database. The same tests on both.
"""
from __future__ import annotations

import html
import types

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.search.index import PackageSearchIndex
from ckan.tests import factories, helpers

from tests.edit_during_indexing import EditDuringIndexing

from .conftest import french

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]


def _indexed(dataset_id: str) -> dict:
    model.Session.remove()  # read back as a new request would
    found = helpers.call_action("package_search", fq=f"id:{dataset_id}", include_private=True,
                                include_drafts=True)["results"]
    return found[0] if found else {}


@pytest.mark.parametrize("action, private, start_private", [
    ("bulk_update_private", True, False),
    ("bulk_update_public", False, True),
])
def test_a_dataset_edited_while_its_organization_updates_it_in_bulk(
        monkeypatch, partners, action, private, start_private):
    dataset = factories.Dataset(owner_org=partners["mtq"]["id"], title="Titre avant",
                                private=start_private)
    other = factories.Dataset(owner_org=partners["mtq"]["id"], private=start_private)
    # The edit starts as the bulk update indexes its first dataset (CKAN's
    # indexer, whichever the search backend).
    indexer = types.SimpleNamespace(index_package=PackageSearchIndex.index_package)
    monkeypatch.setattr(PackageSearchIndex, "index_package",
                        lambda index, *args, **kwargs: indexer.index_package(index, *args, **kwargs))
    edit = EditDuringIndexing(monkeypatch, indexer, "index_package", "package_patch",
                              id=dataset["id"], title="Titre après")

    helpers.call_action(action, org_id=partners["mtq"]["id"], datasets=[dataset["id"], other["id"]])
    edit.join()

    indexed = _indexed(dataset["id"])
    assert (indexed["title"], indexed["private"]) == ("Titre après", private)
    assert _indexed(other["id"])["private"] is private


def test_bulk_delete_takes_the_datasets_out_of_the_index(partners):
    kept, deleted = (factories.Dataset(owner_org=partners["mtq"]["id"]) for _ in range(2))
    helpers.call_action("bulk_update_delete", org_id=partners["mtq"]["id"], datasets=[deleted["id"]])
    assert _indexed(deleted["id"]) == {}
    assert _indexed(kept["id"])["id"] == kept["id"]


def test_datasets_of_another_organization_are_left_alone(partners):
    dataset = factories.Dataset(owner_org=partners["montreal"]["id"])
    helpers.call_action("bulk_update_private", org_id=partners["mtq"]["id"], datasets=[dataset["id"]])
    assert _indexed(dataset["id"])["private"] is False


@pytest.mark.parametrize("language", ["", "/fr"])
@pytest.mark.parametrize("data, field, message", [
    ({"datasets": "not-a-list"}, "datasets", "Not a list"),
    ({"datasets": [], "org_id": {"id": "mtq"}}, "org_id", "Missing value"),
    ({"datasets": ["x"], "org_id": ["mtq"]}, "org_id", "Missing value"),
])
def test_malformed_bulk_updates_are_refused_in_the_users_language(app, partners, language, data,
                                                                  field, message):
    sysadmin = factories.SysadminWithToken()
    response = app.post(language + "/api/3/action/bulk_update_private",
                        json={"org_id": partners["mtq"]["id"], **data},
                        headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 409
    assert response.json["error"][field] == [french(message) if language else message]


def test_a_dataset_its_schema_refuses_is_named_and_the_others_changed(app, partners):
    kept, broken = (factories.Dataset(owner_org=partners["mtq"]["id"]) for _ in range(2))
    with model.ensure_engine().begin() as connection:  # stored before a stricter rule
        connection.execute(sa.text(
            "UPDATE package SET name = 'Nom Invalide', metadata_modified = now() AT TIME ZONE 'utc'"
            " WHERE id = :id"), {"id": broken["id"]})
    sysadmin = factories.SysadminWithToken()
    response = app.post("/api/3/action/bulk_update_private",
                        json={"org_id": partners["mtq"]["id"], "datasets": [kept["id"], broken["id"]]},
                        headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 409
    [refused] = response.json["error"]["datasets"]
    assert list(refused) == [broken["id"]] and "name" in refused[broken["id"]]
    assert _indexed(kept["id"])["private"] is True
    assert helpers.call_action("package_show", id=broken["id"])["private"] is False


def test_the_organization_pages_private_button(app, partners):
    """As an organization's admin uses it: the dataset list's checkboxes and Private button."""
    admin = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=partners["mtq"]["id"],
                        username=admin["name"], role="admin")
    chosen, other = (factories.Dataset(owner_org=partners["mtq"]["id"]) for _ in range(2))
    response = app.post("/organization/bulk_process/mtq", headers={"Authorization": admin["token"]},
                        data={"bulk_action.private": "", f"dataset_{chosen['id']}": "on"},
                        follow_redirects=False)
    assert response.status_code == 302
    assert _indexed(chosen["id"])["private"] is True
    assert _indexed(other["id"])["private"] is False


def _organization_admin(partners) -> dict:
    admin = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=partners["mtq"]["id"],
                        username=admin["name"], role="admin")
    return admin


@pytest.mark.parametrize("language", ["", "/fr"])
def test_a_dataset_refused_on_the_organization_page_is_named_in_the_users_language(
        app, partners, language):
    admin = _organization_admin(partners)
    kept, broken = (factories.Dataset(owner_org=partners["mtq"]["id"]) for _ in range(2))
    with model.ensure_engine().begin() as connection:  # stored before a stricter rule
        connection.execute(sa.text(
            "UPDATE package SET name = 'Nom Invalide', metadata_modified = now() AT TIME ZONE 'utc'"
            " WHERE id = :id"), {"id": broken["id"]})
    response = app.post(f"{language}/organization/bulk_process/mtq",
                        headers={"Authorization": admin["token"]},
                        data={"bulk_action.private": "", f"dataset_{kept['id']}": "on",
                              f"dataset_{broken['id']}": "on"})
    assert response.status_code == 200
    assert response.request.path == f"{language}/organization/bulk_process/mtq"
    page = html.unescape(response.body)
    left = ("These datasets were left as they are; the others were changed. Correct each one"
            " (edit it), then try again: {datasets}")
    assert (french(left) if language else left).format(datasets="Nom Invalide (name: ") in page
    assert _indexed(kept["id"])["private"] is True
    assert helpers.call_action("package_show", id=broken["id"])["private"] is False


@pytest.mark.parametrize("language", ["", "/fr"])
@pytest.mark.parametrize("form", [
    {},                                   # a dataset chosen, no button
    {"bulk_action.archive": ""},          # a button core does not have
    {"bulk_action.private.x": "private"},  # the old browsers' form, an unknown action
])
def test_a_form_without_a_known_action_is_refused_in_the_users_language(
        app, partners, language, form):
    admin = _organization_admin(partners)
    dataset = factories.Dataset(owner_org=partners["mtq"]["id"])
    response = app.post(f"{language}/organization/bulk_process/mtq",
                        headers={"Authorization": admin["token"]},
                        data={**form, f"dataset_{dataset['id']}": "on"})
    assert response.status_code == 400
    message = ("Choose what to do with the selected datasets: make them public, make them"
               " private or delete them.")
    assert (french(message) if language else message) in html.unescape(response.body)
    assert _indexed(dataset["id"])["private"] is False


def test_a_known_button_beside_unknown_names_is_made_as_core_makes_it(app, partners):
    admin = _organization_admin(partners)
    dataset = factories.Dataset(owner_org=partners["mtq"]["id"])
    response = app.post("/organization/bulk_process/mtq", headers={"Authorization": admin["token"]},
                        data={"bulk_action.archive": "", "bulk_action.private": "",
                              f"dataset_{dataset['id']}": "on"}, follow_redirects=False)
    assert response.status_code == 302
    assert _indexed(dataset["id"])["private"] is True
