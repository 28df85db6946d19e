"""Creating and updating partners through the API: the schema's fields, errors in fr and en, nothing half-written."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories, helpers

from .conftest import create_partner, french

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]


class TestCreate:
    def test_every_field_is_stored_and_shown(self, partners):
        org = create_partner(
            "mtmd", partner_type="ministere", organisation_principale="gouvernement-du-quebec",
            region="03", date_joined="2016-04-05",
            description_translated={"fr": "Routes", "en": "Roads"},
            open_data_policy_url="https://www.transports.gouv.qc.ca/politique",
            sponsor_name="Marie Tremblay", sponsor_email="marie.tremblay@example.qc.ca",
            website="https://www.transports.gouv.qc.ca", image_url="https://example.org/logo.png",
            certified=True)
        shown = helpers.call_action("organization_show", id="mtmd")
        for shown_org in (org, shown):
            assert shown_org["title_translated"] == {"fr": "Organisation mtmd", "en": "Organization mtmd"}
            assert shown_org["title"] == "Organisation mtmd"
            assert shown_org["description_translated"] == {"fr": "Routes", "en": "Roads"}
            assert shown_org["description"] == "Routes"
            assert shown_org["partner_type"] == "ministere"
            assert shown_org["organisation_principale"] == "gouvernement-du-quebec"
            assert shown_org["region"] == "03"
            assert shown_org["date_joined"] == "2016-04-05"
            assert shown_org["sponsor_email"] == "marie.tremblay@example.qc.ca"
            assert shown_org["image_url"] == "https://example.org/logo.png"
            assert shown_org["certified"] is True

    def test_a_core_api_client_sending_only_title_gets_it_as_french(self):
        user = factories.User()
        org = helpers.call_action("organization_create", {"user": user["name"]},
                                  name="core-client", title="Ville de Lévis",
                                  description="Données de Lévis")
        assert org["title"] == "Ville de Lévis"
        shown = helpers.call_action("organization_show", id="core-client")
        assert shown["title_translated"] == {"fr": "Ville de Lévis"}
        assert shown["description_translated"] == {"fr": "Données de Lévis"}

    def test_the_scheming_schema_is_the_partner_schema(self):
        schema = helpers.call_action("scheming_organization_schema_show", type="organization")
        names = [field["field_name"] for field in schema["fields"]]
        assert {"title_translated", "partner_type", "organisation_principale", "region",
                "certified"} <= set(names)

    @pytest.mark.parametrize("field, value, message", [
        ("title_translated", {"en": "City"}, "The French version is required"),
        ("partner_type", "ville", "Unknown value ville"),
        ("region", "18", "Unknown value 18"),
        ("date_joined", "05/04/2016", "YYYY-MM-DD"),
        ("website", "montreal.ca", "Not a valid http or https URL"),
        ("sponsor_email", "nobody", "Not a valid e-mail address"),
        ("sponsor_name", "<b>A</b>", "HTML is not allowed"),
        ("organisation_principale", "nowhere", "No organization named nowhere"),
        ("certified", "maybe", "true or false"),
    ])
    def test_bad_values_are_refused_and_nothing_is_created(self, field, value, message):
        with pytest.raises(helpers.logic.ValidationError) as error:
            create_partner("bad", **{field: value})
        assert message in str(error.value.error_dict[field])
        assert model.Group.get("bad") is None


class TestUmbrella:
    def test_own_umbrella_is_a_cycle(self, partners):
        with pytest.raises(helpers.logic.ValidationError, match="cycle"):
            helpers.call_action("organization_patch", id="gouvernement-du-quebec",
                                organisation_principale="gouvernement-du-quebec")

    def test_a_longer_cycle_is_refused_and_nothing_changes(self, partners):
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("organization_patch", id="gouvernement-du-quebec",
                                organisation_principale="mtq")
        assert "gouvernement-du-quebec → mtq → gouvernement-du-quebec" in str(
            error.value.error_dict["organisation_principale"])
        shown = helpers.call_action("organization_show", id="gouvernement-du-quebec")
        assert "organisation_principale" not in shown or not shown["organisation_principale"]

    def test_an_umbrella_can_be_changed(self, partners):
        helpers.call_action("organization_patch", id="universite-laval",
                            organisation_principale="ville-de-montreal")
        shown = helpers.call_action("organization_show", id="universite-laval")
        assert shown["organisation_principale"] == "ville-de-montreal"


class TestApiErrors:
    MESSAGE = "Only a system administrator may set or change this field"

    @pytest.mark.parametrize("language", ["", "/fr"])
    def test_admin_setting_partner_type_gets_409_in_their_language(self, app, partners, language):
        expected = french(self.MESSAGE) if language else self.MESSAGE
        user = factories.UserWithToken()
        helpers.call_action("organization_member_create", id="ville-de-montreal",
                            username=user["name"], role="admin")
        response = app.post(language + "/api/3/action/organization_patch",
                            json={"id": "ville-de-montreal", "partner_type": "obnl",
                                  "website": "https://montreal.ca"},
                            headers={"Authorization": user["token"]})
        assert response.status_code == 409
        assert response.json["error"]["partner_type"] == [expected]
        shown = helpers.call_action("organization_show", id="ville-de-montreal")
        assert shown["partner_type"] == "municipalite"
        assert "website" not in shown

    def test_bad_region_gets_409_in_english(self, app, partners):
        sysadmin = factories.SysadminWithToken()
        response = app.post("/api/3/action/organization_patch",
                            json={"id": "ville-de-montreal", "region": "99"},
                            headers={"Authorization": sysadmin["token"]})
        assert response.status_code == 409
        assert response.json["error"]["region"][0].startswith("Unknown value 99")


class TestGroupCreateOfAnOrganization:
    """Core's group_create raises a bare Exception for type=organization (an HTTP 500)."""

    def test_is_a_validation_error_for_who_may_create_groups(self, app):
        sysadmin = factories.SysadminWithToken()
        for body in ({"name": "abc", "type": "organization"},
                     {"name": "abc", "type": "organization", "title_translated": {"fr": "A"}}):
            response = app.post("/api/3/action/group_create", json=body,
                                headers={"Authorization": sysadmin["token"]})
            assert response.status_code == 409, response.body
            assert response.json["error"]["type"] == [
                "An organization is created with organization_create, not group_create"]
        assert model.Group.get("abc") is None

    def test_is_refused_to_who_may_not(self, app):
        response = app.post("/api/3/action/group_create", json={"name": "abc", "type": "organization"})
        assert response.status_code == 403

    def test_a_group_is_still_created(self, app):
        sysadmin = factories.SysadminWithToken()
        response = app.post("/api/3/action/group_create", json={"name": "transport"},
                            headers={"Authorization": sysadmin["token"]})
        assert response.status_code == 200
        assert not model.Group.get("transport").is_organization
