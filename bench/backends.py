"""The search backends bench/search.py compares: quebec_search in PostgreSQL, one Solr node, SolrCloud.

Solr runs from solr/launcher/solr.sh (Apache Solr 9.10.1 with the configset
schemas/solr) as the tests start it (tests/solr/node.py), on ports of its own
for the run: a node with one core, or two SolrCloud nodes (each a JVM) with a
collection of 2 shards x 2 replicas. CKAN reaches Solr through ``solr_url`` without
quebec_search, as a portal on Solr does.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.solr.node import SolrNode  # noqa: E402  (solr/launcher/solr.sh, as the tests run it)

BACKENDS = ("postgres", "solr", "solrcloud")
POSTGRES_PLUGIN = "quebec_search"
# ckanext-spatial's ext_bbox on Solr reads the bbox fields spatial_metadata indexes.
SOLR_SPATIAL = {"ckanext.spatial.search_backend": "solr-bbox",
                "ckan.search.solr_allowed_query_parsers": "frange"}


def plugins_for(backend: str, plugins: str) -> str:
    """The run's plugins: quebec_search only on PostgreSQL."""
    names = plugins.split()
    if backend == "postgres":
        return " ".join(names if POSTGRES_PLUGIN in names else [POSTGRES_PLUGIN, *names])
    return " ".join(name for name in names if name != POSTGRES_PLUGIN)


def _get(url: str, **params) -> dict:
    query = urllib.parse.urlencode({**params, "wt": "json"})
    with urllib.request.urlopen(f"{url}?{query}", timeout=300) as response:
        return json.load(response)


class Solr:
    """A Solr node or a SolrCloud, in a session of its own, for one benchmark run."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._home = tempfile.TemporaryDirectory(prefix=f"bench-{backend}-")
        home = pathlib.Path(self._home.name)
        mode = ("cloud", "ckan") if backend == "solrcloud" else ("node",)
        self._launcher = SolrNode(home / "solr", home / "solr.log", mode=mode)
        self.port = self._launcher.port
        self.base = self._launcher.url
        self.url = f"{self.base}/ckan"

    def start(self) -> None:
        """Solr's JVMs at PostgreSQL's priority, whatever the benchmark's own (``nice -n 10``):
        the two engines then get the same share of a busy machine's CPUs."""
        own = os.getpriority(os.PRIO_PROCESS, 0)
        try:
            os.setpriority(os.PRIO_PROCESS, 0, postgres_priority())
        except PermissionError:
            print(f"Solr runs at the benchmark's priority (nice {own}), below PostgreSQL's", file=sys.stderr)
        try:
            self._launcher.launch()  # the JVMs inherit this thread's priority
        finally:
            os.setpriority(os.PRIO_PROCESS, 0, own)
        self._launcher.ready()
        if self.backend == "solr":
            _get(f"{self.base}/admin/cores", action="CREATE", name="ckan", configSet="quebec")

    def stop(self) -> None:
        self._launcher.stop()
        self._home.cleanup()

    def config(self) -> dict[str, str]:
        return {"solr_url": self.url, **SOLR_SPATIAL}

    def clear(self) -> None:
        """An empty index before a size's rebuild (CKAN's rebuild does not clear)."""
        request = urllib.request.Request(
            f"{self.url}/update?commit=true", data=b'{"delete": {"query": "*:*"}}',
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=300).read()

    def index_bytes(self) -> int:
        """The index on disk: every core (on SolrCloud every replica, so two copies)."""
        cores = _get(f"{self.base}/admin/cores", action="STATUS")["status"].values()
        if self.backend == "solrcloud":
            second = f"http://127.0.0.1:{self.port + 1}/solr"
            cores = [*cores, *_get(f"{second}/admin/cores", action="STATUS")["status"].values()]
        return sum(core["index"]["sizeInBytes"] for core in cores)

    def cache_counts(self) -> dict[str, tuple[int, int]]:
        """(hits, lookups) of each of Solr's searcher caches, summed over the cores, since they started.

        The queries of a run are timed after the rebuild's last commit, so the
        difference of two readings around them is what the caches answered.
        """
        bases = [self.base] + ([f"http://127.0.0.1:{self.port + 1}/solr"]
                               if self.backend == "solrcloud" else [])
        counts: dict[str, tuple[int, int]] = {}
        for base in bases:
            metrics = _get(f"{base}/admin/metrics", group="core", prefix="CACHE.searcher")["metrics"]
            for core in metrics.values():
                for name, values in core.items():
                    cache = name.rsplit(".", 1)[-1]
                    hits, lookups = counts.get(cache, (0, 0))
                    counts[cache] = (hits + values.get("cumulative_hits", 0),
                                     lookups + values.get("cumulative_lookups", 0))
        return counts

    def jvm_rss(self) -> int:
        """Resident memory of the JVMs (bytes): one node, or both SolrCloud nodes."""
        listing = subprocess.run(["ps", "-o", "rss=,comm=", "-s", str(self._launcher.pid)],
                                 capture_output=True, text=True, check=True).stdout
        return sum(int(rss) * 1024 for rss, command in
                   (line.split(None, 1) for line in listing.splitlines()) if command == "java")


def postgres_priority() -> int:
    """The niceness of the stack's PostgreSQL server (its postmaster), 0 if it cannot be read."""
    try:
        pid = int((ROOT / ".stack" / "pg" / "postmaster.pid").read_text().split()[0])
        return os.getpriority(os.PRIO_PROCESS, pid)
    except (OSError, ValueError, IndexError):
        return 0


def postgres_rss(database: str) -> tuple[int, int]:
    """(resident, private) bytes of the PostgreSQL backends connected to ``database``.

    Resident memory counts the shared buffers a backend has touched, shared by
    all backends; private memory (RssAnon) is the backend's own.
    """
    import sqlalchemy as sa
    from ckan import model

    with model.ensure_engine().connect() as connection:
        pids = connection.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": database}).scalars().all()
    resident = private = 0
    for pid in pids:
        try:
            status = pathlib.Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        resident += int(fields["VmRSS"].split()[0]) * 1024
        private += int(fields["RssAnon"].split()[0]) * 1024
    return resident, private
