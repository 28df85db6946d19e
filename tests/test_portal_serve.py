"""scripts/portal serve brings up the whole portal, and serving again keeps it.

Runs the real command on a stack folder of its own and on free ports: a
PostgreSQL cluster, Redis, CKAN, the jobs worker and the demo catalogue.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import urllib.request

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "portal"
# One stack per CKAN version: the test command runs the versions side by side.
STACK = ROOT / ".stack" / "script-tests" / f"serve-{os.environ.get('CKAN_VERSION', '2.12')}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def portal():
    shutil.rmtree(STACK, ignore_errors=True)
    STACK.mkdir(parents=True)
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CKAN_")}
    env.update(PORTAL_STACK=str(STACK), PORTAL_PORT=str(port), PG_PORT=str(_free_port()),
               REDIS_PORT=str(_free_port()), CKAN_VERSION=os.environ.get("CKAN_VERSION", "2.12"))
    first = subprocess.run([str(SCRIPT), "serve"], env=env, capture_output=True, text=True,
                           timeout=600)
    yield {"env": env, "url": f"http://127.0.0.1:{port}", "first": first}
    subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
    shutil.rmtree(STACK, ignore_errors=True)


def _demo_titles() -> list[str]:
    from ckanext.quebec.demo import loader
    with open(loader.default_catalogue_path(), encoding="utf-8") as f:
        return [dataset["title"]["fr"] for dataset in yaml.safe_load(f)["datasets"]]


def _get(url: str, token: str | None = None):
    request = urllib.request.Request(url, headers={"Authorization": token} if token else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def _api(portal, action: str, token: str | None = None, **data):
    request = urllib.request.Request(
        f"{portal['url']}/api/3/action/{action}", data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": token} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["result"]


def test_serve_brings_up_the_portal_with_its_demo(portal):
    first = portal["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    password = (STACK / "admin-password").read_text().strip()
    assert f"login: admin / {password}" in first.stdout
    assert re.search(r"ckan: up http://127\.0\.0\.1:\d+ .* jobs worker: up", first.stdout)

    status = _api(portal, "status_show")
    assert "quebec_search" in status["extensions"]
    assert status["locale_default"] == "fr"

    _, home = _get(portal["url"] + "/")
    shown = [title for title in _demo_titles() if title in home.decode()]
    assert len(shown) >= 2, "the home page lists no demo dataset"

    found = _api(portal, "package_search", q="cyclable")
    assert found["count"] >= 1
    resource = found["results"][0]["resources"][0]
    status_code, body = _get(resource["url"])
    assert status_code == 200 and len(body) > 100


def test_serving_again_keeps_what_the_portal_holds(portal):
    token = subprocess.run(
        [str(ROOT / f".venv-{portal['env']['CKAN_VERSION']}" / "bin" / "ckan"),
         "-c", str(STACK / "ckan.ini"), "user", "token", "add", "admin", "test"],
        env=portal["env"], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1].strip()
    datasets_before = _api(portal, "package_search", rows=0)["count"]
    edited = {"fr": "Réseau cyclable (modifié)", "en": "Bike network (edited)"}
    _api(portal, "package_patch", token, id="reseau-cyclable", title_translated=edited)
    org = _api(portal, "organization_create", token, name="ville-de-levis", title="Ville de Lévis")

    again = subprocess.run([str(SCRIPT), "serve"], env=portal["env"], capture_output=True,
                           text=True, timeout=600)

    assert again.returncode == 0, again.stdout + again.stderr
    kept = _api(portal, "package_show", id="reseau-cyclable")
    assert kept["title_translated"] == edited
    assert kept["title"] == "Réseau cyclable (modifié)"
    assert _api(portal, "organization_show", id="ville-de-levis")["id"] == org["id"]
    assert _api(portal, "package_search", rows=0)["count"] == datasets_before
    summaries = [line for line in (STACK / "log" / "setup.log").read_text().splitlines()
                 if line.startswith("Demo catalogue loaded")]
    assert len(summaries) == 2
    assert f"datasets 0 created / {len(_demo_titles())} kept" in summaries[-1]
