"""The umbrella partner (organisation_principale) is stored by id: a name taken again gives nothing away."""
from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from ckanext.quebec.partners import directory, loader

from .conftest import create_partner

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins",
                            "activity quebec_search scheming_organizations quebec_schema quebec_partners"),
]


@pytest.fixture(autouse=True)
def activity_tables(clean_db, migrate_db_for):
    migrate_db_for("activity")


def _stored(name: str) -> str | None:
    return (model.Group.by_name(name).extras or {}).get("organisation_principale")


def _patch(organization: str, **fields) -> dict:
    """organization_patch by the site user (the activity plugin needs a user)."""
    context = {"user": helpers.call_action("get_site_user")["name"]}
    return helpers.call_action("organization_patch", context, id=organization, **fields)


def _rename(name: str, new_name: str) -> None:
    _patch(name, name=new_name)


def test_the_umbrella_is_stored_by_id_and_shown_by_its_current_name(partners):
    assert _stored("mtq") == partners["gouv"]["id"]
    assert helpers.call_action("organization_show", id="mtq")["organisation_principale"] == \
        "gouvernement-du-quebec"
    _rename("gouvernement-du-quebec", "gouv-qc")
    assert helpers.call_action("organization_show", id="mtq")["organisation_principale"] == "gouv-qc"
    # Given by id, it is the same.
    _patch("ville-de-montreal", organisation_principale=partners["gouv"]["id"])
    assert _stored("ville-de-montreal") == partners["gouv"]["id"]


def test_a_name_taken_again_does_not_make_an_umbrella_admin(app, partners):
    """The probe's attack: rename the umbrella, create an organization with its old name."""
    helpers.call_action("package_create", {"user": factories.Sysadmin()["name"]},
                        name="private-roads", title="Secret roads", owner_org=partners["mtq"]["id"],
                        private=True)
    outsider = factories.UserWithToken()
    headers = {"Authorization": outsider["token"]}
    url = "/api/3/action/package_activity_list"
    assert app.get(url, query_string={"id": "private-roads"}, headers=headers).status_code == 403

    _rename("gouvernement-du-quebec", "gouvernement-du-quebec-2")
    response = app.post("/api/3/action/organization_create", headers=headers,
                        json={"name": "gouvernement-du-quebec", "title": "Not the government"})
    assert response.status_code == 200

    response = app.get(url, query_string={"id": "private-roads"}, headers=headers)
    assert response.status_code == 403
    assert "Secret roads" not in response.body
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_auth("quebec_partner_activity_show",
                          {"user": outsider["name"], "ignore_auth": False}, id="mtq")
    # The real umbrella's admins still see it.
    admin = factories.UserWithToken()
    helpers.call_action("organization_member_create", id="gouvernement-du-quebec-2",
                        username=admin["name"], role="admin")
    response = app.get(url, query_string={"id": "private-roads"},
                       headers={"Authorization": admin["token"]})
    assert response.status_code == 200
    assert "Secret roads" in response.body


def test_the_pages_show_the_renamed_umbrella(app, partners):
    _rename("gouvernement-du-quebec", "gouv-qc")
    create_partner("gouvernement-du-quebec", title_translated={"fr": "Imposteur"})
    body = app.get("/organization/mtq").body
    assert 'href="/organization/gouv-qc"' in body
    assert "Imposteur" not in body
    (mtq,) = [partner for partner in directory.organizations("fr") if partner["name"] == "mtq"]
    assert (mtq["umbrella"], mtq["umbrella_title"]) == ("gouv-qc", "Organisation gouvernement-du-quebec")


def test_the_index_has_the_umbrellas_current_name(partners):
    dataset = factories.Dataset(owner_org=partners["mtq"]["id"], user=factories.Sysadmin())
    # The rename alone indexes the sub-partners' datasets again.
    _rename("gouvernement-du-quebec", "gouv-qc")
    found = helpers.call_action("package_search", fq="organisation_principale:gouv-qc")
    assert [result["id"] for result in found["results"]] == [dataset["id"]]
    assert helpers.call_action("package_search", fq='organisation_principale:"gouvernement-du-quebec"',
                               )["count"] == 0
    # Not on other edits.
    assert helpers.call_action("organization_patch", {"user": helpers.call_action(
        "get_site_user")["name"]}, id="gouv-qc", website="https://www.quebec.ca")


def test_the_loader_reads_and_writes_umbrellas_by_name(partners, tmp_path):
    _rename("gouvernement-du-quebec", "gouv-qc")
    columns = ",".join(loader.REQUIRED_COLUMNS)
    rows = [
        # Unchanged: the stored umbrella is the renamed government.
        "mtq,Organisation mtq,Organization mtq,ministere,gouv-qc,03,2016-04-05,,,",
        "agence,Agence,Agency,organisme,mtq,03,,,,",
    ]
    path = tmp_path / "partners.csv"
    path.write_text("\n".join([columns, *rows]) + "\n", encoding="utf-8")
    report = loader.load(str(path))
    assert report.unchanged == ["mtq"] and report.created == ["agence"] and not report.rejected
    assert _stored("agence") == partners["mtq"]["id"]


def test_a_cycle_is_refused_by_id(partners):
    with pytest.raises(helpers.logic.ValidationError) as error:
        _patch("gouvernement-du-quebec", organisation_principale=partners["mtq"]["id"])
    assert error.value.error_dict["organisation_principale"] == [
        "This umbrella would make a cycle: gouvernement-du-quebec → mtq → gouvernement-du-quebec"]


def _extras_rows(connection: sa.engine.Connection) -> dict[str, str]:
    if "extras" in model.Group.__table__.c:
        query = """SELECT name, extras->>'organisation_principale' FROM "group"
                   WHERE extras ? 'organisation_principale'"""
    else:
        query = """SELECT g.name, e.value FROM group_extra e JOIN "group" g ON g.id = e.group_id
                   WHERE e.key = 'organisation_principale'"""
    return dict(connection.execute(sa.text(query)).fetchall())


def _set_stored(connection: sa.engine.Connection, name: str, value: str) -> None:
    if "extras" in model.Group.__table__.c:
        connection.execute(sa.text("""UPDATE "group" SET extras = jsonb_set(extras,
            '{organisation_principale}', to_jsonb(CAST(:value AS text))) WHERE name = :name"""),
            {"name": name, "value": value})
    else:
        connection.execute(sa.text("""UPDATE group_extra SET value = :value
            WHERE key = 'organisation_principale'
              AND group_id = (SELECT id FROM "group" WHERE name = :name)"""),
            {"name": name, "value": value})


def test_the_migration_turns_stored_names_into_ids(partners, migrate_db_for):
    migration = importlib.import_module(
        "ckanext.quebec.migration.quebec_partners.versions.0001_umbrella_by_id")
    create_partner("agence", organisation_principale="mtq")
    create_partner("orphan", organisation_principale="ville-de-montreal")
    ids = {name: model.Group.by_name(name).id for name in ("gouvernement-du-quebec", "mtq")}
    model.Session.remove()
    # As stored before: by name (the downgrade writes the names back).
    migrate_db_for("quebec_partners", "base", False)
    engine = model.ensure_engine()
    with engine.begin() as connection:
        assert _extras_rows(connection) == {
            "mtq": "gouvernement-du-quebec", "agence": "mtq", "orphan": "ville-de-montreal"}
        _set_stored(connection, "orphan", "no-such-partner")
    migrate_db_for("quebec_partners")
    with engine.begin() as connection:
        expected = {"mtq": ids["gouvernement-du-quebec"], "agence": ids["mtq"]}
        assert _extras_rows(connection) == expected
    # Its statements once more, over ids: nothing changes.
    with engine.begin() as connection:
        for statement in migration.JSON_UPGRADE if "extras" in model.Group.__table__.c \
                else migration.ROWS_UPGRADE:
            connection.execute(sa.text(statement))
        assert _extras_rows(connection) == expected
    assert helpers.call_action("organization_show", id="agence")["organisation_principale"] == "mtq"
