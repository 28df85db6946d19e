"""An umbrella partner's admins see the activity of the bodies under it (permission 6 of issue 5): auth matrix."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from .conftest import create_partner

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables"),
    pytest.mark.ckan_config("ckan.plugins",
                            "activity quebec_search scheming_organizations quebec_schema quebec_partners"),
]


@pytest.fixture
def activity_tables(migrate_db_for):
    migrate_db_for("activity")


@pytest.fixture
def bodies(partners):
    """An agency under the ministry (two levels under the umbrella), and datasets of both.

    Created by a real user: activity by the site user is hidden from streams.
    """
    agency = create_partner("agence", partner_type="organisme", organisation_principale="mtq")
    context = {"user": factories.Sysadmin()["name"]}
    for name, owner, private in (("public-roads", "mtq", False), ("private-roads", "mtq", True),
                                 ("agency-data", "agence", True)):
        helpers.call_action("package_create", dict(context), name=name, owner_org=owner,
                            private=private, title=name.replace("-", " ").capitalize())
    return agency


def _user(role: str) -> str:
    """A user: anonymous, other, sysadmin, or <role>@<organization>."""
    if role == "anonymous":
        return ""
    if role == "sysadmin":
        return factories.Sysadmin()["name"]
    user = factories.User()["name"]
    if "@" in role:
        capacity, organization = role.split("@")
        helpers.call_action("organization_member_create", id=organization, username=user, role=capacity)
    return user


def _activity(role: str, dataset: str) -> list[dict]:
    return helpers.call_action("package_activity_list", {"user": _user(role), "ignore_auth": False},
                               id=dataset)


# Who may see a partner's whole activity (its private datasets' included): its
# members and its umbrellas' admins, at any level.
MATRIX = {
    "anonymous": False, "other": False,
    "member@gouvernement-du-quebec": False, "editor@gouvernement-du-quebec": False,
    "admin@gouvernement-du-quebec": True,
    "member@mtq": True, "editor@mtq": True, "admin@mtq": True,
    "admin@ville-de-montreal": False, "admin@agence": False, "sysadmin": True,
}


def test_auth_matrix_of_a_partners_whole_activity(bodies):
    for role, allowed in MATRIX.items():
        context = {"user": _user(role), "ignore_auth": False}
        if allowed:
            assert helpers.call_auth("quebec_partner_activity_show", context, id="mtq"), role
        else:
            with pytest.raises(helpers.logic.NotAuthorized):
                helpers.call_auth("quebec_partner_activity_show", context, id="mtq")


def test_activity_of_a_private_and_a_public_dataset(bodies):
    for role, allowed in MATRIX.items():
        if allowed:
            activities = _activity(role, "private-roads")
            assert [activity["activity_type"] for activity in activities] == ["new package"], role
        else:
            with pytest.raises(helpers.logic.NotAuthorized):
                _activity(role, "private-roads")
        # A public dataset's activity stays public.
        assert [activity["activity_type"] for activity in _activity(role, "public-roads")] == [
            "new package"], role


def test_an_umbrella_admin_sees_every_level_below(bodies):
    assert len(_activity("admin@gouvernement-du-quebec", "agency-data")) == 1
    assert len(_activity("admin@mtq", "agency-data")) == 1
    with pytest.raises(helpers.logic.NotAuthorized):
        _activity("editor@mtq", "agency-data")


def test_through_the_api(app, bodies):
    user = factories.UserWithToken()
    helpers.call_action("organization_member_create", id="gouvernement-du-quebec",
                        username=user["name"], role="admin")
    response = app.get("/api/3/action/package_activity_list", query_string={"id": "private-roads"},
                       headers={"Authorization": user["token"]})
    assert response.status_code == 200
    assert len(response.json["result"]) == 1
    response = app.get("/api/3/action/package_activity_list", query_string={"id": "private-roads"})
    assert response.status_code == 403
