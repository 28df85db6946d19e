"""scripts/portal explains a broken set-up and never deletes the portal's data.

Each test runs the real script on a stack folder of its own, on free ports.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "portal"
# Under the project, not /tmp: the postgres user must be able to reach it;
# one folder per CKAN version, as the test command runs the versions side by side.
STACKS = ROOT / ".stack" / "script-tests" / os.environ.get("CKAN_VERSION", "2.12")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stack(request):
    path = STACKS / request.node.name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.chmod(path, 0o755)
    env = dict(os.environ, PORTAL_STACK=str(path), PG_PORT=str(_free_port()),
               REDIS_PORT=str(_free_port()), PORTAL_PORT=str(_free_port()),
               CKAN_VERSION=os.environ.get("CKAN_VERSION", "2.12"))
    yield path, env
    subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def occupied_port():
    """A port held by a program that is neither PostgreSQL nor Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def refuse():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                connection.close()
            except OSError:
                continue

    thread = threading.Thread(target=refuse, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def _run(env, *args):
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_half_created_cluster_is_reported_and_kept(stack):
    path, env = stack
    cluster = path / "pg"
    cluster.mkdir()
    (cluster / "base").mkdir()
    (cluster / "base" / "precious").write_text("data")

    result = _run(env, "serve")

    assert result.returncode == 1
    assert "half-created" in result.stderr
    assert "Nothing was deleted" in result.stderr
    assert (cluster / "base" / "precious").read_text() == "data"


def test_postgres_port_taken_is_reported(stack, occupied_port):
    _path, env = stack
    env["PG_PORT"] = str(occupied_port)

    result = _run(env, "serve")

    assert result.returncode == 1
    assert f"Port {occupied_port} is taken by another program" in result.stderr
    assert "PG_PORT=" in result.stderr


def test_redis_port_taken_is_reported(stack, occupied_port):
    path, env = stack
    env["REDIS_PORT"] = str(occupied_port)

    result = _run(env, "serve")

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Port {occupied_port} is taken by a program that is not Redis" in result.stderr
    # PostgreSQL came up before and its cluster is left whole.
    assert (path / "pg" / "PG_VERSION").exists()


def test_status_of_a_stopped_stack(stack):
    _path, env = stack
    result = _run(env, "status")
    assert result.returncode == 0
    assert result.stdout.strip() == (
        "postgresql: down | redis: down | ckan: down | jobs workers: down | harvest: down | solr: down")
