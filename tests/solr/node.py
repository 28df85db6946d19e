"""A real Apache Solr 9 node for the tests, started with solr/launcher/solr.sh.

One node per test session, started the first time a test needs it; each test
database gets a core of its own, made from schemas/solr through CoreAdmin.
The node can be stopped and started again on the same port and folder (its
cores and their data survive), which is how the tests take Solr away.
"""
from __future__ import annotations

import json
import os
import pathlib
import selectors
import signal
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "solr" / "launcher" / "solr.sh"
# The first start fetches Solr from Maven Central (about 100 MB) and compiles the launcher.
START_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SolrNode:
    """One Solr node in a process (and session) of its own."""

    def __init__(self, home: pathlib.Path, log: pathlib.Path, port: int | None = None) -> None:
        self.home = home
        self.log = log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/solr"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                [str(LAUNCHER), "node", str(self.port), str(self.home)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
                env=dict(os.environ, SOLR_STACK=str(ROOT / ".stack"), SOLR_LAUNCHER_WATCH_STDIN="1"))
        # The launcher prints READY once Solr answers (nothing if it fails).
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=START_TIMEOUT)
        line = self._process.stdout.readline().decode() if ready else ""
        if not line.startswith("READY"):
            self.stop()
            raise RuntimeError(f"Solr did not start; see {self.log}")

    def stop(self) -> None:
        """SIGTERM: Solr closes its cores and exits (the launcher's shutdown hook)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process.stdin.close()
        self._process.stdout.close()
        self._process = None

    def core(self, name: str) -> str:
        """The URL of core ``name`` (made from the configset if missing), for CKAN's solr_url."""
        status = self._admin(action="STATUS", core=name)
        if not status["status"].get(name):
            self._admin(action="CREATE", name=name, configSet="quebec")
        return f"{self.url}/{name}"

    def _admin(self, **params: str) -> dict:
        query = urllib.parse.urlencode({**params, "wt": "json"})
        with urllib.request.urlopen(f"{self.url}/admin/cores?{query}", timeout=120) as response:
            return json.load(response)


def core_name(database_url: str) -> str:
    """A core per test database: its name, e.g. ckan_h_solr_2_12."""
    return urllib.parse.urlsplit(database_url).path.lstrip("/") or "ckan"
