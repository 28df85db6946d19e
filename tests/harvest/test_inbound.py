"""Inbound harvesting: a partner's DCAT feed through ckanext-harvest's gather/fetch/import queues on Redis.

The feed is served by a local HTTP server; the job runs through the real
queues (tests/harvest/queues.py) with the quebec_harvest hooks; the datasets
land in the Québec schema, owned by the source's organization and named from
their identifiers; a second harvest after the feed changed writes exactly the
changed datasets and withdraws the one gone.
"""
from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer

from ckanext.quebec.harvest import reading
from ckanext.quebec.search import writer
from tests.dcat import schema_datasets
from tests.dcat.test_import import server  # noqa: F401  (the local HTTP server fixture)
from tests.edit_during_indexing import EditDuringIndexing

from . import queues

PLUGINS = schema_datasets.SERVED_PLUGINS + " harvest dcat_rdf_harvester quebec_ckan_harvester quebec_harvest"
PROFILES = ["euro_dcat_ap_3", "quebec_dcat_ap_3"]

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true"),
]

FEED = "/catalogue.ttl"


def _feed(datasets: list[dict]) -> bytes:
    return RDFSerializer(profiles=PROFILES).serialize_catalog(
        {}, dataset_dicts=datasets, _format="turtle").encode()


def _partner_datasets(owner_org: str) -> list[dict]:
    """Three datasets of the Québec schema as a partner's portal would publish them (then gone from ours)."""
    made = []
    for number, (fr, en) in enumerate([("Pistes cyclables", "Bike paths"),
                                       ("Ponts", "Bridges"), ("Écoles", "Schools")]):
        dataset = schema_datasets.create(owner_org, name=f"origine-{number}",
                                         title_translated={"fr": fr, "en": en})
        made.append(helpers.call_action("package_show", id=dataset["id"]))
        helpers.call_action("dataset_purge", id=dataset["id"])
    return made


@pytest.fixture
def partner(server):
    organizations = schema_datasets.partners()
    admin = factories.User()
    helpers.call_action("organization_member_create", id=organizations["mtq"]["id"],
                        username=admin["name"], role="admin")
    datasets = _partner_datasets(organizations["gouv"]["id"])
    server.routes[FEED] = (_feed(datasets), "text/turtle")
    return {"org": organizations["mtq"], "admin": admin, "datasets": datasets, "server": server}


def _source(partner, **fields) -> dict:
    data = {"name": "flux-mtq", "title": "Flux du MTQ", "url": partner["server"].base + FEED,
            "source_type": "dcat_rdf", "owner_org": partner["org"]["id"], "frequency": "MANUAL"}
    data.update(fields)
    return helpers.call_action("harvest_source_create", {"user": partner["admin"]["name"]}, **data)


def _harvested(org_id: str) -> dict[str, dict]:
    found = helpers.call_action("package_search", fq=f"owner_org:{org_id}", rows=100,
                                include_private=True)["results"]
    return {dataset["title_translated"]["en"]: dataset for dataset in found}


def test_an_org_admin_harvests_a_dcat_feed_into_the_quebec_schema(partner):
    source = _source(partner)

    job = queues.run_job(source["id"], partner["admin"]["name"])

    assert job["status"] == "Finished"
    assert job["stats"].get("errored", 0) == 0, queues.objects(job["id"])[0].errors
    assert job["stats"]["added"] == 3
    harvested = _harvested(partner["org"]["id"])
    assert set(harvested) == {"Bike paths", "Bridges", "Schools"}
    origin = {dataset["title_translated"]["en"]: dataset for dataset in partner["datasets"]}
    for title, dataset in harvested.items():
        source_dataset = origin[title]
        for key in ("title_translated", "notes_translated", "methodologie_translated",
                    "update_frequency", "license_id", "temporal_start", "temporal_end",
                    "categories", "territories"):
            assert dataset[key] == source_dataset[key], (title, key)
        assert dataset["owner_org"] == partner["org"]["id"]
        identifier = reading.identifier_of(dataset)
        assert identifier
        assert dataset["name"] == reading.dataset_name(partner["org"]["name"], identifier)
        # RDF keeps no order of distributions
        assert sorted(r["format"] for r in dataset["resources"]) == ["CSV", "HTML"]
    # named so at the gather stage already (not from the title, a query per dataset)
    gathered = {json.loads(obj.content)["name"] for obj in queues.objects(job["id"])}
    assert gathered == {dataset["name"] for dataset in harvested.values()}


def test_a_second_harvest_writes_exactly_what_changed(partner):
    source = _source(partner)
    first = queues.run_job(source["id"], partner["admin"]["name"])
    assert first["stats"]["added"] == 3
    before = _harvested(partner["org"]["id"])
    bridges, schools = (dataset for dataset in partner["datasets"]
                        if dataset["title_translated"]["en"] != "Bike paths")
    changed = dict(bridges, notes_translated={"fr": "Les ponts, révisé.", "en": "Bridges, revised."})
    partner["server"].routes[FEED] = (_feed([changed, schools]), "text/turtle")

    second = queues.run_job(source["id"], partner["admin"]["name"])

    statuses = sorted(queues.report(second["id"]).values())
    assert statuses == ["deleted", "not modified", "updated"], statuses
    after = _harvested(partner["org"]["id"])
    assert set(after) == {"Bridges", "Schools"}
    assert after["Bridges"]["notes_translated"]["en"] == "Bridges, revised."
    assert after["Schools"]["metadata_modified"] == before["Schools"]["metadata_modified"]
    gone = helpers.call_action("package_show", id=before["Bike paths"]["id"])
    assert gone["state"] == "deleted"


def test_a_record_the_schema_refuses_is_reported_and_skipped(partner):
    broken = dict(partner["datasets"][0], update_frequency="sometimes")
    partner["server"].routes[FEED] = (_feed([broken, partner["datasets"][1]]), "text/turtle")
    source = _source(partner)

    job = queues.run_job(source["id"], partner["admin"]["name"])

    assert (job["stats"].get("added"), job["stats"].get("errored")) == (1, 1), job["stats"]
    errors = [error for obj in queues.objects(job["id"]) for error in obj.errors]
    # The profile maps no frequency it does not know: the schema's required field is missing.
    assert len(errors) == 1 and "Update frequency" in errors[0].message, errors
    assert set(_harvested(partner["org"]["id"])) == {"Bridges"}


def test_a_source_shows_its_type_and_status(partner):
    """The index answers package_show: it must hold the source as ckanext-harvest completes it."""
    source = _source(partner)
    helpers.call_action("harvest_source_patch", id=source["id"], title="Flux du MTQ (revu)")

    shown = helpers.call_action("harvest_source_show", id=source["id"])

    assert shown["source_type"] == "dcat_rdf" and shown["title"] == "Flux du MTQ (revu)"
    assert shown["status"]["job_count"] == 0


def test_a_source_edited_while_a_job_reindexes_it_keeps_the_edit(partner, monkeypatch):
    """ckanext-harvest reindexes a source when a job ends: the copy it read must not
    replace an edit committed meanwhile (the reindex holds the source, held.py)."""
    source = _source(partner)
    edit = EditDuringIndexing(monkeypatch, writer, "add", "harvest_source_patch",
                              id=source["id"], title="Flux du MTQ (revu pendant la tâche)")

    helpers.call_action("harvest_source_reindex", id=source["id"])
    edit.join()

    assert edit.waited_for_lock
    model.Session.remove()  # read back as a new request would
    shown = helpers.call_action("harvest_source_show", id=source["id"])
    assert shown["title"] == "Flux du MTQ (revu pendant la tâche)"
    assert shown["source_type"] == "dcat_rdf"


def test_another_organizations_admin_may_not_add_a_source(partner):
    stranger = factories.User()
    factories.Organization(users=[{"name": stranger["name"], "capacity": "admin"}])
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("harvest_source_create", {"user": stranger["name"],
                                                      "ignore_auth": False},
                            name="flux-etranger", url=partner["server"].base + FEED,
                            source_type="dcat_rdf", owner_org=partner["org"]["id"])


def test_a_sysadmin_adds_a_ckan_portal_source(partner):
    sysadmin = factories.Sysadmin()
    source = helpers.call_action("harvest_source_create", {"user": sysadmin["name"]},
                                 name="portail-ville", url="https://ville.example/",
                                 source_type="ckan", owner_org=partner["org"]["id"],
                                 config='{"default_tags": [{"name": "moissonne"}]}')
    assert source["source_type"] == "ckan"
    assert source["owner_org"] == partner["org"]["id"]
