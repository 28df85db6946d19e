"""SolrCloud under faults: a node killed (kill -9) under a stream of searches and dataset writes.

Two Solr nodes, each a JVM of its own (tests/solr/cloud.py), a collection of
2 shards x 2 replicas; CKAN's ``solr_url`` points at the seed, the node that
survives. The second node leads shard1 and holds a replica of shard2: once
killed, searches must answer from the seed's replicas, complete; a write either
goes on or is refused with CKAN's SearchIndexError, and then nothing of it is
stored (the database and the index keep the dataset as it was). Once ZooKeeper
has dropped the node and the seed leads both shards, every write goes on. The
node comes back on its folder, recovers from the leaders, and holds every
dataset the database holds.

The test runs on its own cluster whatever QUEBEC_TEST_SEARCH says.
"""
from __future__ import annotations

import pytest

from ckan import model
from ckan.lib.search import SearchIndexError
from ckan.tests import factories, helpers

from tests.schema.test_dataset_api import dataset_dict

from .cloud import SolrCloud
from .node import ROOT
from .test_configset import FIELDS, TYPES

PLUGINS = "scheming_datasets scheming_organizations quebec_schema"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    log = ROOT / ".stack" / "log" / "solr-test-cloud.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cluster = SolrCloud(tmp_path_factory.mktemp("solrcloud"), log)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def ckan_config(ckan_config, cloud):
    ckan_config["solr_url"] = cloud.url
    return ckan_config


def stored() -> dict[str, str]:
    """The active datasets of the database: id -> title."""
    model.Session.remove()
    rows = model.Session.query(model.Package.id, model.Package.title).filter(model.Package.state == "active")
    return dict(rows)


def searched() -> dict[str, str]:
    """What package_search answers (through the seed): id -> title, every dataset by a French stem."""
    result = helpers.call_action("package_search", q="cyclable", fl="id,title", rows=1000)
    found = {dataset["id"]: dataset["title"] for dataset in result["results"]}
    assert result["count"] == len(found)
    return found


class Stream:
    """Searches and writes, alternately a new dataset and a new title for an existing one."""

    def __init__(self, owner_org: str) -> None:
        self.owner_org = owner_org
        self.written: dict[str, str] = {}  # what CKAN accepted: id -> title
        self.refused = 0
        self.created = 0
        self._number = 0

    def run(self, steps: int, refusals: bool = True) -> None:
        for _ in range(steps):
            # Searches answer, complete: the index holds what the database holds.
            assert searched() == stored() == self.written
            self._number += 1
            try:
                self._write()
            except SearchIndexError:
                # CKAN's error for an index that refused the dataset: nothing stored.
                assert refusals, f"write {self._number} refused once the seed leads every shard"
                self.refused += 1
            assert stored() == self.written
        assert searched() == self.written

    def _write(self) -> None:
        number = self._number
        title = {"fr": f"Pistes cyclables {number}", "en": f"Bike paths {number}"}
        if number % 2 and self.written:
            target = sorted(self.written)[number % len(self.written)]
            dataset = helpers.call_action("package_patch", id=target, title_translated=title)
        else:
            dataset = helpers.call_action("package_create", **dataset_dict(
                self.owner_org, name=f"nuage-{number}", title_translated=title))
            self.created += 1
        self.written[dataset["id"]] = dataset["title"]


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_killed_node_costs_no_search_and_no_half_written_dataset(cloud, record_property):
    stream = Stream(factories.Organization()["id"])
    stream.run(6, refusals=False)

    cloud.second.kill()
    # Until ZooKeeper drops it, the dead node still leads shard1: writes to it are refused.
    stream.run(10)
    refused_while_dying = stream.refused
    cloud.wait_for_failover()
    stream.run(6, refusals=False)

    cloud.second.start()
    stream.run(4)
    cloud.wait_for_recovery()
    stream.run(2, refusals=False)

    record_property("refused_while_dying", refused_while_dying)
    record_property("refused_while_recovering", stream.refused - refused_while_dying)
    ids = sorted(stored())
    assert len(ids) == stream.created and ids == sorted(stream.written)
    # The node that came back holds every dataset itself, as the seed does.
    assert cloud.ids_on(cloud.seed) == ids
    cloud.wait_for_ids(cloud.second, ids)


def test_version_field_is_a_long_a_recovering_replica_can_read():
    """CKAN's schema.xml declares _version_ a string: a replica back from a crash then failed to
    replay the updates it buffered while recovering (UnsupportedOperationException in Solr's
    VersionInfo.getVersionFromIndex), missed them, and buffered every later one (the test above
    found datasets missing on the node that came back)."""
    version = FIELDS["_version_"]
    assert TYPES[version.get("type")].get("class") == "solr.LongPointField"
    assert version.get("docValues") == "true" and version.get("multiValued") in (None, "false")
