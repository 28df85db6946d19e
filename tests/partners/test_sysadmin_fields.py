"""Only sysadmins set or change partner_type, organisation_principale and certified (auth matrix)."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories, helpers

from .conftest import create_partner

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]

PROTECTED = [
    ("partner_type", "obnl", "municipalite"),
    ("organisation_principale", "gouvernement-du-quebec", None),
    ("certified", True, None),
]
ROLES = ["anonymous", "member", "editor", "admin", "sysadmin"]


def _context(role: str, org_name: str) -> dict:
    if role == "anonymous":
        return {"user": "", "ignore_auth": False}
    if role == "sysadmin":
        return {"user": factories.Sysadmin()["name"], "ignore_auth": False}
    user = factories.User()
    helpers.call_action("organization_member_create", id=org_name,
                        username=user["name"], role=role)
    return {"user": user["name"], "ignore_auth": False}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("field, value, before", PROTECTED)
def test_changing_a_protected_field(partners, role, field, value, before):
    context = _context(role, "ville-de-montreal")
    call = lambda: helpers.call_action(  # noqa: E731
        "organization_patch", context, id="ville-de-montreal", **{field: value})
    if role == "sysadmin":
        call()
    elif role in ("anonymous", "member", "editor"):
        with pytest.raises(helpers.logic.NotAuthorized):
            call()
    else:
        with pytest.raises(helpers.logic.ValidationError) as error:
            call()
        assert list(error.value.error_dict) == [field]
    shown = helpers.call_action("organization_show", id="ville-de-montreal")
    assert shown.get(field) == (value if role == "sysadmin" else before)


def test_an_admin_may_edit_other_fields_and_keeps_the_protected_ones(partners):
    helpers.call_action("organization_patch", id="mtq", certified=True)
    context = _context("admin", "mtq")
    # organization_update with the protected fields left out, as a form or script may send it.
    helpers.call_action("organization_update", context, id=partners["mtq"]["id"], name="mtq",
                        title_translated={"fr": "Transports", "en": "Transport"},
                        website="https://www.transports.gouv.qc.ca")
    shown = helpers.call_action("organization_show", id="mtq")
    assert shown["website"] == "https://www.transports.gouv.qc.ca"
    assert shown["title"] == "Transports"
    assert shown["partner_type"] == "ministere"
    assert shown["organisation_principale"] == "gouvernement-du-quebec"
    assert shown["certified"] is True


def test_an_admin_may_resend_the_same_values(partners):
    context = _context("admin", "mtq")
    helpers.call_action("organization_patch", context, id="mtq", partner_type="ministere",
                        organisation_principale="gouvernement-du-quebec", sponsor_name="A. B.")
    assert helpers.call_action("organization_show", id="mtq")["sponsor_name"] == "A. B."


@pytest.mark.parametrize("field, value", [("partner_type", "obnl"), ("certified", True),
                                          ("organisation_principale", "gouvernement-du-quebec")])
def test_a_user_creating_an_organization_may_not_set_protected_fields(partners, field, value):
    user = factories.User()
    with pytest.raises(helpers.logic.ValidationError) as error:
        create_partner("new-partner", user=user, **{field: value})
    assert list(error.value.error_dict) == [field]
    assert model.Group.get("new-partner") is None


def test_a_user_may_create_an_organization_without_them():
    user = factories.User()
    org = create_partner("new-partner", user=user, region="05")
    assert org["region"] == "05" and "partner_type" not in org
