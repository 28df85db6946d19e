"""``ckan quebec partners load``: the demo file, idempotence, dry run and every kind of bad input."""
from __future__ import annotations

import os

import pytest

from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.quebec.partners import loader

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]

DEMO = os.path.join(os.path.dirname(loader.__file__), "data", "partners-demo.csv")
HEADER = ("name,title_fr,title_en,partner_type,organisation_principale,region,date_joined,"
          "website,sponsor_name,sponsor_email\n")
GOUV = "gouvernement-du-quebec,Gouvernement du Québec,Government of Québec,,,,2016-04-05,,,\n"


def _write(tmp_path, text: str | bytes, name: str = "partners.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


def _load(cli, path: str, *options: str):
    return cli.invoke(ckan, ["quebec", "partners", "load", path, *options])


def _names() -> set[str]:
    return set(helpers.call_action("organization_list"))


class TestDemoFile:
    def test_loads_every_demo_organization_with_its_umbrella(self, cli):
        result = _load(cli, DEMO)
        assert result.exit_code == 0, result.output
        assert "14 created, 0 updated, 0 unchanged, 0 rejected" in result.output
        assert len(_names()) == 14
        ministry = helpers.call_action("organization_show", id="ministere-transports-mobilite-durable")
        assert ministry["partner_type"] == "ministere"
        assert ministry["organisation_principale"] == "gouvernement-du-quebec"
        assert ministry["region"] == "03"
        assert ministry["title_translated"]["en"] == "Ministry of Transport and Sustainable Mobility"
        assert ministry["certified"] is True

    def test_covers_the_demo_catalogue(self):
        import yaml
        catalogue = os.path.join(os.path.dirname(loader.__file__), "..", "demo", "data", "catalogue.yaml")
        with open(catalogue, encoding="utf-8") as f:
            names = {org["name"] for org in yaml.safe_load(f)["organizations"]}
        rows = loader.read(DEMO)
        assert names | {"gouvernement-du-quebec"} <= {row.name for row in rows}
        assert not [row.errors for row in rows if row.errors]

    def test_the_catalogue_agrees_with_the_file(self):
        import yaml
        catalogue = os.path.join(os.path.dirname(loader.__file__), "..", "demo", "data", "catalogue.yaml")
        with open(catalogue, encoding="utf-8") as f:
            organizations = yaml.safe_load(f)["organizations"]
        rows = {row.name: row for row in loader.read(DEMO)}
        for organization in organizations:
            fields = rows[organization["name"]].fields
            assert fields["partner_type"] == organization["partner_type"]
            assert fields["region"] == organization["region"]
            assert fields["organisation_principale"] == organization.get("organisation_principale")
            assert fields["title_translated"] == {"fr": " ".join(organization["title"].split()),
                                                  "en": organization["title_en"]}

    def test_has_a_partner_of_every_type_and_umbrellas(self):
        from ckanext.quebec.schema import vocabularies
        rows = loader.read(DEMO)
        types = {row.fields.get("partner_type") for row in rows}
        assert {entry["value"] for entry in vocabularies.get("partner_types")} <= types
        umbrellas = {row.fields.get("organisation_principale") for row in rows} - {None}
        assert umbrellas == {"gouvernement-du-quebec", "universite-laval"}

    def test_loading_twice_changes_nothing(self, cli):
        _load(cli, DEMO)
        result = _load(cli, DEMO)
        assert result.exit_code == 0
        assert "0 created, 0 updated, 14 unchanged, 0 rejected" in result.output

    def test_dry_run_writes_nothing(self, cli):
        result = _load(cli, DEMO, "--dry-run")
        assert result.exit_code == 0, result.output
        assert "Dry run" in result.output
        assert "would create: ville-de-laval" in result.output
        assert "14 created" in result.output
        assert _names() == set()

    def test_updates_only_what_differs(self, cli, tmp_path):
        _load(cli, DEMO)
        helpers.call_action("organization_patch", id="ville-de-laval", sponsor_name="Someone else")
        result = _load(cli, DEMO, "--dry-run")
        assert "would update: ville-de-laval (sponsor_name)" in result.output
        assert helpers.call_action("organization_show", id="ville-de-laval")["sponsor_name"] == "Someone else"
        result = _load(cli, DEMO)
        assert "updated: ville-de-laval (sponsor_name)" in result.output
        assert "0 created, 1 updated, 13 unchanged, 0 rejected" in result.output
        assert helpers.call_action("organization_show", id="ville-de-laval")["sponsor_name"] == (
            "Répondant en gouvernement ouvert")


class TestWholeFileRefused:
    def test_missing_columns_are_listed(self, cli, tmp_path):
        path = _write(tmp_path, "name,title_fr,partner_type\nx,X,obnl\n")
        result = _load(cli, path)
        assert result.exit_code == 1
        assert ("Missing columns: title_en, organisation_principale, region, date_joined, "
                "website, sponsor_name, sponsor_email") in result.output
        assert _names() == set()

    def test_not_utf8_is_refused(self, cli, tmp_path):
        text = HEADER + "ville-de-levis,Ville de Lévis,,municipalite,,12,,,,\n"
        path = _write(tmp_path, text.encode("latin-1"))
        result = _load(cli, path)
        assert result.exit_code == 1
        assert "not encoded in UTF-8" in result.output
        assert _names() == set()

    def test_empty_file(self, cli, tmp_path):
        result = _load(cli, _write(tmp_path, ""))
        assert result.exit_code == 1 and "empty" in result.output


class TestBadRows:
    @pytest.mark.parametrize("row, message", [
        ("ville-de-levis,Ville de Lévis,,ville,,12,,,,", "partner_type: Unknown value ville"),
        ("ville-de-levis,Ville de Lévis,,municipalite,,18,,,,", "region: Unknown value 18"),
        ("ville-de-levis,Ville de Lévis,,municipalite,nowhere,12,,,,",
         "organisation_principale: no organization named nowhere"),
        ("ville-de-levis,,Lévis,municipalite,,12,,,,", "title_fr: the French name is required"),
        ("Ville de Lévis,Ville de Lévis,,municipalite,,12,,,,", "name: must be"),
        ("ville-de-levis,Ville de Lévis,,municipalite,,12,2016,,,",
         "date_joined: Not a valid date (expected YYYY-MM-DD)"),
        ("ville-de-levis,Ville de Lévis,,municipalite,,12,,levis.ca,,", "website: Not a valid http or https URL"),
        ("ville-de-levis,Ville de Lévis,,municipalite,,12,,,,nobody", "sponsor_email: Not a valid e-mail address"),
    ])
    @pytest.mark.parametrize("dry_run", [False, True])
    def test_the_row_is_rejected_and_the_rest_applied(self, cli, tmp_path, row, message, dry_run):
        path = _write(tmp_path, HEADER + GOUV + row + "\n")
        result = _load(cli, path, *(["--dry-run"] if dry_run else []))
        assert result.exit_code == 1
        assert "rejected: line 3 (" in result.output
        assert message in result.output
        assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
        assert _names() == (set() if dry_run else {"gouvernement-du-quebec"})

    def test_duplicate_rows(self, cli, tmp_path):
        path = _write(tmp_path, HEADER + GOUV + GOUV)
        result = _load(cli, path)
        assert "rejected: line 3 (gouvernement-du-quebec): duplicate of line 2" in result.output
        assert "1 created" in result.output

    def test_cycle_in_the_file(self, cli, tmp_path):
        rows = ("a-partner,A,,obnl,b-partner,,,,,\n"
                "b-partner,B,,obnl,a-partner,,,,,\n"
                "c-partner,C,,obnl,a-partner,,,,,\n")
        result = _load(cli, _write(tmp_path, HEADER + GOUV + rows))
        assert "a-partner → b-partner → a-partner" in result.output
        assert "b-partner → a-partner → b-partner" in result.output
        assert "rejected: line 5 (c-partner): organisation_principale: a-partner is rejected" in result.output
        assert "1 created, 0 updated, 0 unchanged, 3 rejected" in result.output
        assert _names() == {"gouvernement-du-quebec"}

    def test_cycle_with_the_database(self, cli, tmp_path):
        _load(cli, DEMO)
        row = "gouvernement-du-quebec,Gouvernement du Québec,,,ministere-transports-mobilite-durable,,,,,\n"
        result = _load(cli, _write(tmp_path, HEADER + row))
        assert "cycle: gouvernement-du-quebec → ministere-transports-mobilite-durable → " \
               "gouvernement-du-quebec" in result.output
        shown = helpers.call_action("organization_show", id="gouvernement-du-quebec")
        assert not shown.get("organisation_principale")

    def test_umbrella_later_in_the_file_is_created_first(self, cli, tmp_path):
        rows = "mtq,Transports,,ministere,gouvernement-du-quebec,03,,,,\n" + GOUV
        result = _load(cli, _write(tmp_path, HEADER + rows))
        assert result.exit_code == 0, result.output
        assert "2 created" in result.output
        # Stored by id (see test_umbrella_by_id.py).
        assert model.Group.get("mtq").extras["organisation_principale"] == \
            model.Group.get("gouvernement-du-quebec").id
