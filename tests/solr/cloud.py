"""A two-node SolrCloud for the tests, each node a JVM of its own (solr/launcher/solr.sh).

The seed runs ZooKeeper and the first node; the second node joins it and can be
killed (kill -9) and started again on its port and folder, where its cores wait
for it. The collection has 2 shards x 2 replicas, a replica of each shard on
each node, and the second node leads the first shard, so that losing it costs
a shard leader (an election) and a replica of the other shard.
"""
from __future__ import annotations

import json
import pathlib
import time
import urllib.parse
import urllib.request

from .node import SolrNode, free_port

COLLECTION = "ckan"
SHARDS = 2
REPLICAS = 2
# How long after a node dies ZooKeeper drops it (Solr's default is 30 s).
ZK_CLIENT_TIMEOUT_MS = 8000
# Bounds of the waits for Solr's own work (elections, recovery): generous for a shared machine.
WAIT_SECONDS = 180


class SolrCloud:
    def __init__(self, home: pathlib.Path, log: pathlib.Path) -> None:
        zk_port = free_port()
        self.seed = SolrNode(home / "seed", log, mode=("seed", str(zk_port)))
        self.second = SolrNode(home / "node2", log, mode=("join", f"127.0.0.1:{zk_port}/solr"),
                               java_options=f"-Dsolr.zkclienttimeout={ZK_CLIENT_TIMEOUT_MS}")
        self.url = f"{self.seed.url}/{COLLECTION}"

    def start(self) -> None:
        """The second node starts once ZooKeeper runs, beside the seed's node; then the collection."""
        self.seed.launch()
        try:
            self.seed.ready("ZOOKEEPER")
            self.second.start()
            self.seed.ready()
            self._create_collection()
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        self.second.stop()
        self.seed.stop()

    def node_name(self, node: SolrNode) -> str:
        return f"127.0.0.1:{node.port}_solr"

    def replicas(self) -> list[dict]:
        """Every replica: shard, core, node_name, base_url, state and leader ("true" or absent)."""
        status = self._admin("collections", action="CLUSTERSTATUS", collection=COLLECTION)["cluster"]
        live = set(status["live_nodes"])
        shards = status["collections"][COLLECTION]["shards"]
        return [dict(replica, shard=shard, name=name, live=replica["node_name"] in live)
                for shard, value in sorted(shards.items()) for name, replica in sorted(value["replicas"].items())]

    def wait_until(self, what: str, condition) -> None:
        """Bounded wait for Solr to reach a state (elections and recovery take their time)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition(self.replicas()):
            if time.monotonic() > deadline:
                raise AssertionError(f"SolrCloud: {what} not reached in {WAIT_SECONDS} s: {self.replicas()}")
            time.sleep(0.5)

    def wait_for_failover(self) -> None:
        """The second node out of the live nodes, the seed leading every shard."""
        seed = self.node_name(self.seed)
        self.wait_until("failover to the seed", lambda replicas: all(
            replica["node_name"] == seed or not replica["live"] for replica in replicas) and {
                replica["shard"] for replica in replicas if replica["node_name"] == seed
                and replica.get("leader") == "true" and replica["state"] == "active"} == self._shards())

    def wait_for_recovery(self) -> None:
        self.wait_until("every replica active", lambda replicas: all(
            replica["live"] and replica["state"] == "active" for replica in replicas))

    def ids_on(self, node: SolrNode) -> list[str]:
        """The dataset ids the node's own replicas hold (no distributed search)."""
        ids = []
        for replica in self.replicas():
            if replica["node_name"] == self.node_name(node):
                answer = self._get(f"{replica['base_url']}/{replica['core']}/select", q="*:*", fl="id",
                                   rows=100000, distrib="false")
                ids += [doc["id"] for doc in answer["response"]["docs"]]
        return sorted(ids)

    def wait_for_ids(self, node: SolrNode, ids: list[str]) -> None:
        """Bounded wait for the node's own replicas to hold exactly ``ids`` (a node back from a
        crash catches up with its leaders as it recovers)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while (held := self.ids_on(node)) != ids:
            if time.monotonic() > deadline:
                raise AssertionError(f"after {WAIT_SECONDS} s the node at {node.url} misses "
                                     f"{sorted(set(ids) - set(held))} and holds {sorted(set(held) - set(ids))} more")
            time.sleep(0.5)

    def _shards(self) -> set[str]:
        return {f"shard{number}" for number in range(1, SHARDS + 1)}

    def _create_collection(self) -> None:
        self._admin("collections", action="CREATE", name=COLLECTION, numShards=SHARDS,
                    replicationFactor=REPLICAS, **{"collection.configName": "quebec"},
                    waitForFinalState="true")
        second = self.node_name(self.second)
        replicas = self.replicas()
        placed = {(replica["shard"], replica["node_name"]) for replica in replicas}
        assert placed == {(shard, self.node_name(node)) for shard in self._shards()
                          for node in (self.seed, self.second)}, replicas
        # Solr's own way to choose a leader: the second node leads shard1.
        lead = next(replica for replica in replicas
                    if replica["shard"] == "shard1" and replica["node_name"] == second)
        self._admin("collections", action="ADDREPLICAPROP", collection=COLLECTION, shard="shard1",
                    replica=lead["name"], property="preferredLeader", **{"property.value": "true"})

        def led(replicas: list[dict]) -> bool:
            if any(replica["name"] == lead["name"] and replica.get("leader") == "true" for replica in replicas):
                return True
            # Right after the creation Solr may answer that it has nothing to do: ask again.
            self._admin("collections", action="REBALANCELEADERS", collection=COLLECTION)
            return False

        self.wait_until("shard1 led by the second node", led)
        self.wait_for_recovery()

    def _admin(self, handler: str, **params) -> dict:
        return self._get(f"{self.seed.url}/admin/{handler}", **params)

    def _get(self, url: str, **params) -> dict:
        query = urllib.parse.urlencode({**params, "wt": "json"})
        with urllib.request.urlopen(f"{url}?{query}", timeout=120) as response:
            return json.load(response)
