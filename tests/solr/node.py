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
import time
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

    def __init__(self, home: pathlib.Path, log: pathlib.Path, port: int | None = None,
                 mode: tuple[str, ...] = ("node",), java_options: str = "") -> None:
        """``mode``: the launcher's mode and its arguments after PORT HOME (solr.sh)."""
        self.home = home
        self.log = log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/solr"
        self.mode = mode
        self.java_options = java_options
        self._process: subprocess.Popen | None = None

    def start(self) -> list[str]:
        self.launch()
        return self.ready()

    def launch(self) -> None:
        """Start the JVM without waiting for it (ready() waits)."""
        mode, *arguments = self.mode
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                [str(LAUNCHER), mode, str(self.port), str(self.home), *arguments],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
                env=dict(os.environ, SOLR_STACK=str(ROOT / ".stack"), SOLR_LAUNCHER_WATCH_STDIN="1",
                         SOLR_OPTS=self.java_options))

    def ready(self, word: str = "READY") -> list[str]:
        """The words after READY, which the launcher prints once Solr answers (nothing if it fails),
        or after another ``word`` it prints on its way (a seed's ZOOKEEPER)."""
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while selector.select(timeout=max(deadline - time.monotonic(), 0)):
                line = self._process.stdout.readline().decode()
                if line.startswith(f"{word} "):
                    return line.split()[1:]
                if not line:
                    break
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

    @property
    def pid(self) -> int:
        """The launcher's process, which leads the session of the JVMs it starts."""
        return self._process.pid

    def kill(self) -> None:
        """kill -9: the JVM dies at once, as on a crash (its ZooKeeper session expires later)."""
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self.stop()

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
