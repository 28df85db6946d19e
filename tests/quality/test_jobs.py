"""The whole path with a real RQ worker: a dataset changes, a job validates, checks links, scores,
indexes; facets and sort; the reference badge granted when the criteria pass; the CLI."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "empty_queue"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "true"),
]

SCHEMA = {"fields": [{"name": "code", "type": "integer"}, {"name": "nom", "type": "string"},
                     {"name": "population", "type": "integer"}], "primaryKey": ["code"]}
GOOD = "code,nom,population\n23027,Québec,549459\n66023,Montréal,1762949\n".encode("utf-8")
BAD = "code,nom,population\n23027,Québec,549459\n23027,Lévis,\"149 683\"\n".encode("utf-8")
COMPLIANCE = {name: "oui" for name in (
    "conformite_separateur_virgule", "conformite_encodage_utf8", "conformite_scr", "conformite_non_compresse",
    "conformite_valeurs_vides", "conformite_separateur_decimal", "conformite_unites", "conformite_booleens",
    "conformite_dates_iso")}


def dataset_dict(owner_org: str, url: str, name: str = "municipalites") -> dict:
    return {
        "name": name, "owner_org": owner_org,
        "title_translated": {"fr": "Répertoire des municipalités", "en": "Municipalities directory"},
        "notes_translated": {"fr": "Les municipalités du Québec.", "en": "Québec's municipalities."},
        "keywords": {"fr": ["municipalité"], "en": ["municipality"]}, "categories": ["gouvernement-finances"],
        "license_id": "cc-by", "author_email": "donnees@example.org", "update_frequency": "annual",
        "temporal_start": "2020-01-01", "temporal_end": "2024-12-31",
        "spatial": {"type": "Point", "coordinates": [-71.2, 46.8]},
        "resources": [dict(COMPLIANCE, url=url, format="CSV", resource_type="donnees", taille_entier="1",
                           name_translated={"fr": "Municipalités", "en": "Municipalities"},
                           data_dictionary=json.dumps(SCHEMA))],
    }


def work(cli) -> None:
    result = cli.invoke(ckan, ["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output


def validations(resource_id: str) -> int:
    return model.Session.execute(sa.text(
        "SELECT count(*) FROM quebec_quality_resource_check WHERE resource_id = :id AND kind = 'validation'"),
        {"id": resource_id}).scalar()


def test_a_dataset_is_checked_by_the_worker_and_badged(cli, http_server, empty_queue):
    base, routes = http_server
    routes["/municipalites.csv"] = (200, {"Content-Type": "text/csv"}, GOOD)
    organization = factories.Organization()
    dataset = helpers.call_action("package_create", **dataset_dict(organization["id"], base + "/municipalites.csv"))
    assert len(empty_queue.jobs) == 1
    work(cli)

    quality = helpers.call_action("package_show", id=dataset["id"])["quebec_quality"]
    assert quality["validation"] == {"status": "valid", "errors": 0}
    # every point but the download URL's (a link, not an upload: 50) and the rights statement (5)
    assert (quality["score"], quality["level"]) == (350, "bon")
    assert quality["dimensions"]["quebec"] == {"score": 80, "max": 80}

    shown = helpers.call_action("quebec_quality_show", id=dataset["id"])
    assert all(criterion["passed"] for criterion in shown["criteria"])
    report = shown["resources"][0]["validation"]
    assert (report["status"], report["primary_key"], report["key_ok"]) == ("valid", ["code"], True)
    assert shown["resources"][0]["link"]["status"] == 200

    sysadmin = factories.Sysadmin()
    granted = helpers.call_action("quebec_quality_reference_grant", {"user": sysadmin["name"]},
                                  id=dataset["id"], mandate="MCN-2024-007", date="2024-03-01")
    assert granted == {"granted": True, "mandate": "MCN-2024-007", "date": "2024-03-01"}
    assert helpers.call_action("package_show", id=dataset["id"])["quebec_quality"]["reference"] == granted

    found = helpers.call_action("package_search", q="*:*", **{
        "facet.field": ["quality_level", "quality_reference"]})
    assert found["facets"]["quality_level"] == {"bon": 1}
    assert found["facets"]["quality_reference"] == {"true": 1}
    assert helpers.call_action("package_search", fq="quality_reference:true")["count"] == 1

    # A metadata edit re-scores without reading the file again.
    helpers.call_action("package_patch", id=dataset["id"], author="Service des données")
    work(cli)
    resource_id = dataset["resources"][0]["id"]
    assert validations(resource_id) == 1
    assert len(helpers.call_action("quebec_quality_show", id=dataset["id"], history=True)["history"]) == 2

    # A new file is validated again; the data now fails, the level is capped and the badge stays granted
    # until a sysadmin withdraws it.
    routes["/municipalites-2.csv"] = (200, {"Content-Type": "text/csv"}, BAD)
    helpers.call_action("resource_patch", id=resource_id, url=base + "/municipalites-2.csv")
    work(cli)
    assert validations(resource_id) == 2
    quality = helpers.call_action("package_show", id=dataset["id"])["quebec_quality"]
    assert quality["validation"] == {"status": "invalid", "errors": 2}
    assert quality["level"] == "suffisant"
    errors = helpers.call_action("quebec_quality_show", id=dataset["id"])["resources"][0]["validation"]["errors"]
    assert [(e["row"], e["column"], e["error"]) for e in errors] == [
        (3, "population", "type-error"), (3, "code", "primary-key-error")]
    assert errors[0]["message"]["en"]

    withdrawn = helpers.call_action("quebec_quality_reference_withdraw", {"user": sysadmin["name"]},
                                    id=dataset["id"])
    assert withdrawn == {"granted": False}
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("quebec_quality_reference_grant", {"user": sysadmin["name"]},
                            id=dataset["id"], mandate="MCN-2024-008", date="2024-04-01")
    assert error.value.error_dict["criteria"] == [
        "Criterion not met: Unique identifier. A data file declares a key (Table Schema primaryKey) whose "
        "values are unique and never empty.",
        "Criterion not met: Quality. Every data file validates against its schema and the guidelines."]


def test_unreachable_and_refused_urls_are_recorded_results(cli, http_server, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.quebec.quality.allow_private_addresses", "false")
    organization = factories.Organization()
    base, _routes = http_server
    dataset = helpers.call_action("package_create", **dataset_dict(organization["id"], base + "/a.csv"))
    work(cli)
    shown = helpers.call_action("quebec_quality_show", id=dataset["id"])
    resource = shown["resources"][0]
    assert resource["validation"]["status"] == "error"
    assert resource["validation"]["reason"]["code"] == "url-refused"
    assert resource["validation"]["reason"]["message"]["en"].endswith("is on a private or reserved network; "
                                                                      "it is not fetched")
    assert resource["link"]["ok"] is False
    assert shown["validation"]["status"] == "error"


def test_cli_run_and_show(cli, http_server):
    base, routes = http_server
    routes["/m.csv"] = (200, {}, GOOD)
    organization = factories.Organization()
    helpers.call_action("package_create", **dataset_dict(organization["id"], base + "/m.csv"))
    result = cli.invoke(ckan, ["quebec", "quality", "run", "municipalites"])
    assert result.exit_code == 0, result.output
    assert "municipalites: bon 350/405, validation valid (0 errors)" in result.output
    result = cli.invoke(ckan, ["quebec", "quality", "show", "municipalites"])
    assert result.exit_code == 0, result.output
    assert "accessibility: 50/100" in result.output
    assert "download_url (0/20)" in result.output
    result = cli.invoke(ckan, ["quebec", "quality", "run", "nope"])
    assert result.exit_code == 1
    assert "nope: no such dataset" in result.output
    result = cli.invoke(ckan, ["quebec", "quality", "run"])
    assert result.exit_code == 2
    helpers.call_action("package_create", **dict(dataset_dict(organization["id"], base + "/m.csv", "prive"),
                                                 private=True))
    result = cli.invoke(ckan, ["quebec", "quality", "run", "--all"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines() if ": " in line] == ["municipalites", "prive"]
