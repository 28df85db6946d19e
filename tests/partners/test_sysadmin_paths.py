"""The sysadmin-only partner fields through every path that writes an organization: auth matrix over the API and the form."""
from __future__ import annotations

import os

import pytest
import yaml

from ckan import model
from ckan.tests import factories, helpers

from ckanext.quebec import resources

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]

ORGANIZATION = "ville-de-montreal"
# A new value for each field only a sysadmin may set (ville-de-montreal has
# partner_type municipalite, no umbrella, not certified).
NEW_VALUES = {"partner_type": "obnl", "organisation_principale": "gouvernement-du-quebec",
              "certified": "true"}
# anonymous, member, editor and admin of the organization, admin of another one, sysadmin.
ROLES = ("anonymous", "member", "editor", "admin", "other-admin", "sysadmin")


def _schema_fields() -> set[str]:
    with open(os.path.join(resources.schemas_directory(), "organization.yaml"), encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    return {field["field_name"] for field in schema["fields"]
            if "quebec_partner_sysadmin_only" in field.get("validators", "")}


def test_the_schema_guards_exactly_these_fields():
    assert _schema_fields() == set(NEW_VALUES)


def _token(role: str) -> dict:
    """Request headers of a user in ``role``."""
    if role == "anonymous":
        return {}
    if role == "sysadmin":
        return {"Authorization": factories.SysadminWithToken()["token"]}
    user = factories.UserWithToken()
    capacity, organization = (("admin", "universite-laval") if role == "other-admin"
                              else (role, ORGANIZATION))
    helpers.call_action("organization_member_create", id=organization, username=user["name"],
                        role=capacity)
    return {"Authorization": user["token"]}


def _stored() -> dict:
    return {key: value for key, value in (model.Group.by_name(ORGANIZATION).extras or {}).items()
            if key in NEW_VALUES}


def _request(app, path: str, headers: dict, field: str):
    shown = helpers.call_action("organization_show", id=ORGANIZATION)
    if path in ("group_update", "organization_update"):
        body = dict(shown, **{field: NEW_VALUES[field]})
    elif path in ("group_patch", "organization_patch"):
        body = {"id": shown["id"], field: NEW_VALUES[field]}
    else:  # member-level actions: the fields ride along with a membership
        user = factories.User()["name"]
        body = {"id": ORGANIZATION, "username": user, "object": user, "object_type": "user",
                "role": "member", "capacity": "member", field: NEW_VALUES[field]}
    return app.post(f"/api/3/action/{path}", json=body, headers=headers)


def _attempts(app, path: str):
    """Each role's request on ``path`` setting each field: (role, field, response)."""
    for role in ROLES:
        headers = _token(role)
        for field in NEW_VALUES:
            yield role, field, _request(app, path, headers, field)


@pytest.mark.parametrize("path", ["group_update", "group_patch", "organization_update",
                                  "organization_patch"])
def test_update_paths(app, partners, path):
    before = _stored()
    for role, field, response in _attempts(app, path):
        if role == "sysadmin" and path != "group_patch":
            assert response.status_code == 200, (role, field, response.body)
            continue
        # group_patch reads the organization with group_show: not found.
        expected = 403 if role not in ("admin", "sysadmin") else \
            404 if path == "group_patch" else 409
        assert response.status_code == expected, (role, field, response.body)
        if expected == 409:
            assert response.json["error"][field] == [
                "Only a system administrator may set or change this field"]
        assert _stored() == before, (role, field)
    if path != "group_patch":
        assert _stored() == {"partner_type": "obnl", "certified": "true",
                             "organisation_principale": partners["gouv"]["id"]}


@pytest.mark.parametrize("path", ["organization_member_create", "group_member_create",
                                  "member_create"])
def test_member_paths_leave_the_fields(app, partners, path):
    before = _stored()
    for role, field, response in _attempts(app, path):
        assert response.status_code in (200, 403, 409), (role, field, response.body)
        assert _stored() == before, (role, field)


def _form(field: str) -> dict:
    shown = helpers.call_action("organization_show", id=ORGANIZATION)
    data = {"save": "", "name": ORGANIZATION,
            "title_translated-fr": shown["title_translated"]["fr"],
            "title_translated-en": shown["title_translated"]["en"],
            "partner_type": shown.get("partner_type", ""),
            "organisation_principale": shown.get("organisation_principale", ""),
            "certified": "true" if shown.get("certified") else "false",
            "region": shown.get("region", ""),
            "website": "https://montreal.ca"}
    data[field] = NEW_VALUES[field]
    return data


def test_the_form(app, partners):
    before = _stored()
    for role in ROLES:
        headers = _token(role)
        for field in NEW_VALUES:
            response = app.post(f"/organization/edit/{ORGANIZATION}", data=_form(field),
                                headers=headers, follow_redirects=False)
            if role == "sysadmin":
                assert response.status_code == 302, (role, field)
                continue
            assert response.status_code in ((200,) if role == "admin" else (302, 403)), (role, field)
            if role == "admin":
                assert "Only a system administrator may set or change this field" in response.body
            assert _stored() == before, (role, field)
    assert _stored() == {"partner_type": "obnl", "organisation_principale": partners["gouv"]["id"],
                         "certified": "true"}


def test_an_admin_saves_the_form_of_a_certified_partner_under_an_umbrella(app, partners):
    helpers.call_action("organization_patch", id=ORGANIZATION, certified=True,
                        organisation_principale="gouvernement-du-quebec")
    before = _stored()
    headers = _token("admin")
    body = app.get(f"/organization/edit/{ORGANIZATION}", headers=headers).body
    assert 'value="gouvernement-du-quebec"' in body
    data = _form("partner_type")
    data["partner_type"] = "municipalite"
    response = app.post(f"/organization/edit/{ORGANIZATION}", data=data, headers=headers,
                        follow_redirects=False)
    assert response.status_code == 302, response.body
    assert _stored() == before
    assert helpers.call_action("organization_show", id=ORGANIZATION)["website"] == "https://montreal.ca"
