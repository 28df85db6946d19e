"""Outbound: a second CKAN harvests the portal, as aggregators do.

The harvesting CKAN runs in processes of its own (its `ckan` commands): stock
CKAN with ckanext-harvest and ckanext-dcat and none of the Québec plugins but
quebec_search as its search backend (no Solr here), in a schema of its own of
the test's DataStore database (the test's role may not create databases). It
pulls the portal, served over HTTP by the test, through `/catalog.ttl` and its
hydra pages with `dcat_rdf_harvester`, and through the action API with
`ckan_harvester`.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers

from tests.browser.conftest import live_server  # noqa: F401  (the portal over HTTP)
from tests.dcat import schema_datasets
from tests.harvest import LOGGING_SECTIONS

PEER_PLUGINS = "harvest dcat dcat_rdf_harvester ckan_harvester quebec_search"
SCHEMA = "harvester_peer"
# The test's DataStore database: the test's role owns it, so it may create a
# schema there and the trusted extensions quebec_search needs in it.
DATABASE = os.environ["CKAN_DATASTORE_WRITE_URL"]
CALLS = pathlib.Path(__file__).with_name("peer_ckan.py")

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", schema_datasets.SERVED_PLUGINS),
    # three public datasets: two pages of the catalogue
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2"),
]

INI = """[app:main]
use = egg:ckan
ckan.site_url = http://harvester.example
ckan.site_id = harvester-peer
ckan.plugins = {plugins}
ckan.storage_path = {storage}
# never contacted: quebec_search is its search backend
solr_url = http://127.0.0.1:8983/solr/ckan
SECRET_KEY = harvester-peer-not-secret
ckanext.quebec.dcat.import_allow_private_addresses = true

""" + LOGGING_SECTIONS


class Harvester:
    """The harvesting CKAN: its ini file and environment, and its commands."""

    def __init__(self, folder: pathlib.Path):
        self.ini = folder / "harvester.ini"
        self.ini.write_text(INI.format(plugins=PEER_PLUGINS, storage=folder))
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("CKAN_")}
        self.env.update(
            # Its own schema and nothing else (its extensions too). Written out, not
            # URL-encoded: some of CKAN's reads interpolate "%", some do not.
            CKAN_SQLALCHEMY_URL=f"{DATABASE}?options=-csearch_path={SCHEMA}",
            CKAN_REDIS_URL=os.environ["CKAN_REDIS_URL"])
        self.ckan_bin = pathlib.Path(sys.executable).with_name("ckan")

    def ckan(self, *args: str) -> str:
        done = subprocess.run([str(self.ckan_bin), "-c", str(self.ini), *args], env=self.env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    def actions(self, *calls: tuple[str, dict]) -> list:
        done = subprocess.run([sys.executable, str(CALLS), str(self.ini)], env=self.env,
                              input=json.dumps(calls), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    def source(self, name: str, url: str, source_type: str, **fields: str) -> dict:
        # A stock CKAN 2.12 with ckanext-harvest 1.6.3: `harvester source create` fails
        # on the missing status and each job's end indexes the source without its
        # source_type (quebec_harvest mends both on the portal: tests/harvest/test_cli.py).
        return self.actions(("harvest_source_create", {
            "name": name, "title": name, "url": url, "source_type": source_type,
            "owner_org": self.org, "frequency": "MANUAL", **fields}))[0]

    def run(self, source: str) -> str:
        """A whole job of ``source`` in one process (`ckan harvester run-test`)."""
        self.ckan("search-index", "rebuild", source)  # see source()
        return self.ckan("harvester", "run-test", source)

    def datasets(self) -> dict[str, dict]:
        """Every dataset the harvester holds (deleted ones too), by English or only title."""
        found = self.actions(("package_search", {"rows": 1000, "include_private": True,
                                                 "include_drafts": True}))[0]["results"]
        return {dataset["title"]: dataset for dataset in found}


def new_harvester(engine: sa.engine.Engine, folder: pathlib.Path) -> Harvester:
    """A harvesting CKAN in a new schema of DATABASE (``engine``'s), migrated, with its organization.

    bench/harvest_outbound.py starts its harvester with it too."""
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    peer = Harvester(folder)
    peer.ckan("db", "init")
    for plugin in ("harvest", "quebec_search"):
        peer.ckan("db", "upgrade", "-p", plugin)
    peer.org = peer.actions(("organization_create", {"name": "agregateur",
                                                      "title": "Agrégateur"}))[0]["id"]
    return peer


@pytest.fixture(scope="module")
def harvester(tmp_path_factory):
    engine = sa.create_engine(DATABASE)
    yield new_harvester(engine, tmp_path_factory.mktemp("harvester"))
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


@pytest.fixture
def portal(live_server):  # noqa: F811
    organizations = schema_datasets.partners()
    org = organizations["mtq"]["id"]
    public = [schema_datasets.create(org, name=f"public-{n}",
                                     title_translated={"fr": fr, "en": en})
              for n, (fr, en) in enumerate([("Pistes cyclables", "Bike paths"),
                                            ("Ponts", "Bridges"), ("Écoles", "Schools")])]
    private = schema_datasets.create(org, name="prive", private=True,
                                     title_translated={"fr": "Privé", "en": "Private"})
    # The portal's writes are visible to the harvester's requests (another connection).
    model.Session.commit()
    return {"url": live_server, "public": public, "private": private}


def _titles(dataset: dict) -> set[str]:
    return set(dataset["title_translated"].values())


def _by_source(harvested: dict[str, dict], portal_datasets: list[dict]) -> dict[str, dict]:
    """The harvested copy of each portal dataset (found by either of its titles), by portal name."""
    return {dataset["name"]: next(copy for title, copy in harvested.items() if title in _titles(dataset))
            for dataset in portal_datasets
            if any(title in _titles(dataset) for title in harvested)}


def test_dcat_rdf_harvester_pulls_the_catalogue_pages(harvester, portal):
    harvester.source("portail-dcat", portal["url"] + "/catalog.ttl", "dcat_rdf",
                     config='{"rdf_format": "turtle"}')

    harvester.run("portail-dcat")

    harvested = harvester.datasets()
    copies = _by_source(harvested, portal["public"])
    assert set(copies) == {"public-0", "public-1", "public-2"}
    assert len(harvested) == 3  # and not the private one
    assert not any(title in _titles(portal["private"]) for title in harvested)
    for source in portal["public"]:
        copy = copies[source["name"]]
        assert copy["title"] in _titles(source)
        assert copy["notes"] in source["notes_translated"].values()
        # the EU file-type authority's URIs, as the feed gives them
        assert sorted(r["format"].rsplit("/", 1)[-1] for r in copy["resources"]) == ["CSV", "HTML"]
        # the dataset's licence is on its distributions, as the feed gives it
        assert {r["license"] for r in copy["resources"]} == {
            "https://creativecommons.org/licenses/by/4.0/"}
        extras = {extra["key"]: extra["value"] for extra in copy["extras"]}
        assert json.loads(extras["spatial"]) == json.loads(source["spatial"])
        assert (extras["temporal_start"], extras["temporal_end"]) == (
            source["temporal_start"], source["temporal_end"])
        assert (extras["issued"], extras["modified"]) == (
            source["metadata_created"], source["metadata_modified"])
        assert extras["frequency"].endswith("/ANNUAL")
        assert extras["publisher_name"] in ("Ministère des Transports", "Ministry of Transport")
        assert {tag["name"] for tag in copy["tags"]} == {
            word for words in source["keywords"].values() for word in words}

    # An edit and a deletion on the portal, then a second harvest.
    helpers.call_action("package_patch", id="public-1",
                        title_translated={"fr": "Ponts (révisé)", "en": "Bridges (revised)"})
    helpers.call_action("package_delete", id="public-2")
    model.Session.commit()

    harvester.run("portail-dcat")

    after = harvester.datasets()
    assert set(after) >= {copies["public-0"]["title"]}
    assert any(title in ("Ponts (révisé)", "Bridges (revised)") for title in after)
    assert not any(title in _titles(portal["public"][2]) for title in after)
    withdrawn = harvester.actions(("package_show", {"id": copies["public-2"]["id"]}))[0]
    assert withdrawn["state"] == "deleted"


def test_ckan_harvester_pulls_the_action_api(harvester, portal):
    harvester.source("portail-ckan", portal["url"], "ckan")

    harvester.run("portail-ckan")

    # ckan_harvester keeps each dataset's id and name.
    names = {source["name"] for source in portal["public"]}
    found = harvester.actions(("package_search", {"fq": "name:public-* OR name:prive",
                                                   "rows": 100, "include_private": True}))[0]
    assert {dataset["name"] for dataset in found["results"]} == names
    shown = harvester.actions(*[("package_show", {"id": s["id"]}) for s in portal["public"]])
    for source, copy in zip(portal["public"], shown):
        assert copy["name"] == source["name"] and copy["owner_org"] == harvester.org
        assert copy["title"] == source["title"]  # the portal's title, in French
        assert copy["notes"] == source["notes"]
        assert copy["license_id"] == source["license_id"]
        assert sorted(r["format"] for r in copy["resources"]) == ["CSV", "HTML"]
        # A stock CKAN keeps core fields only: the schema's own (title_translated,
        # spatial, temporal_*) are dropped by its validation; the DCAT feed carries them.
        assert "spatial" not in {extra["key"] for extra in copy["extras"]}

    helpers.call_action("package_patch", id="public-1",
                        title_translated={"fr": "Ponts (révisé)", "en": "Bridges (revised)"})
    model.Session.commit()

    harvester.run("portail-ckan")

    edited = harvester.actions(("package_show", {"id": "public-1"}))[0]
    assert edited["title"] == "Ponts (révisé)"
