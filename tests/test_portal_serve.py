"""scripts/portal serve brings up the whole portal as production serves it, and serving again keeps it.

Runs the real command on a stack folder of its own and on free ports: a
PostgreSQL cluster, Redis, CKAN under gunicorn (several processes), two jobs
workers and the demo catalogue. The tests run in order: the last one stops it.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

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


def _ckan(portal) -> pathlib.Path:
    return ROOT / f".venv-{portal['env']['CKAN_VERSION']}" / "bin" / "ckan"


@pytest.fixture(scope="module")
def token(portal):
    added = subprocess.run(
        [str(_ckan(portal)), "-c", str(STACK / "ckan.ini"), "user", "token", "add", "admin", "test"],
        env=portal["env"], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr[-3000:]
    return added.stdout.strip().splitlines()[-1].strip()


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


# Within the suite's time, each version serves the portal once: 2.12 (the README's default)
# for the checks of a served portal, 2.11 (the version Données Québec runs) for the load and
# fault test. Both check the first serve and the stop.
ON_DEFAULT_VERSION = pytest.mark.ckan_versions("2.12")


def test_serve_brings_up_the_portal_with_its_demo(portal):
    first = portal["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    password = (STACK / "admin-password").read_text().strip()
    assert f"login: admin / {password}" in first.stdout
    assert re.search(r"ckan: up http://127\.0\.0\.1:\d+ \(gunicorn \d+, workers \d+ \d+\) "
                     r"\| jobs workers: 2 up \(pids \d+ \d+\) \| harvest: gather-consumer \d+, "
                     r"fetch-consumer \d+, scheduler \d+", first.stdout), first.stdout

    # Every web asset bundle is built before the first page (`ckan quebec upgrade`):
    # processes building one at a first page at once answered it with a 500 under load.
    built = {path.parent.name for path in (STACK / "storage" / "webassets").glob("*/*_*.*")}
    assert {"base", "quebec_theme", "quebec_viz", "ckanext-harvest"} <= built, built

    status = _api(portal, "status_show")
    assert "quebec_search" in status["extensions"]
    assert {"harvest", "dcat_rdf_harvester", "quebec_ckan_harvester"} <= set(status["extensions"])
    assert status["locale_default"] == "fr"

    _, home = _get(portal["url"] + "/")
    shown = [title for title in _demo_titles() if title in home.decode()]
    assert len(shown) >= 2, "the home page lists no demo dataset"

    found = _api(portal, "package_search", q="cyclable")
    assert found["count"] >= 1
    resource = found["results"][0]["resources"][0]
    status_code, body = _get(resource["url"])
    assert status_code == 200 and len(body) > 100


def _status(portal) -> str:
    return subprocess.run([str(SCRIPT), "status"], env=portal["env"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def _processes(portal) -> dict[str, list[int]]:
    """The pids status lists: gunicorn's master, its workers, the jobs workers, the harvest services."""
    line = _status(portal)
    ckan = re.search(r"\(gunicorn (\d+), workers ([\d ]+)\)", line)
    jobs = re.search(r"jobs workers: \d+ up \(pids ([\d ]+)\)", line)
    harvest = re.findall(r"(?:gather-consumer|fetch-consumer|scheduler) (\d+)", line)
    assert ckan and jobs and len(harvest) == 3, line
    return {"master": [int(ckan[1])], "workers": [int(pid) for pid in ckan[2].split()],
            "jobs": [int(pid) for pid in jobs[1].split()],
            "harvest": [int(pid) for pid in harvest]}


def _command_line(pid: int) -> str:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # the process has gone
        return ""


def _answering_workers(portal, urls: list[str]) -> set[str]:
    """The gunicorn worker pids that answered ``urls``, requested 8 at a time (its access log)."""
    log = STACK / "log" / "access.log"
    before = len(log.read_text().splitlines())
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: _get(url)[0], urls))
    assert set(statuses) == {200}
    lines = log.read_text().splitlines()[before:]
    return {re.search(r"worker <(\d+)>", line)[1] for line in lines}


@ON_DEFAULT_VERSION
def test_served_as_production(portal):
    processes = _processes(portal)
    assert len(processes["workers"]) == 2
    for pid in processes["master"] + processes["workers"]:
        assert "gunicorn" in _command_line(pid)
    assert len(processes["jobs"]) == 2
    for pid in processes["jobs"]:
        assert "jobs worker" in _command_line(pid)
    for pid in processes["harvest"]:
        assert " harvester " in _command_line(pid)

    # No debugger: Werkzeug's console is not there.
    with pytest.raises(urllib.error.HTTPError) as console:
        _get(portal["url"] + "/console")
    assert console.value.code == 404
    assert "debug = false" in (STACK / "ckan.ini").read_text()

    # Several processes answer, each with the security headers.
    answering = _answering_workers(portal, [portal["url"] + "/dataset/"] * 24)
    assert answering <= {str(pid) for pid in processes["workers"]}
    assert len(answering) == 2
    with urllib.request.urlopen(portal["url"] + "/", timeout=30) as response:
        headers = response.headers
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    # No process failed a request: two first pages at once once met webassets
    # creating its cache folder (FileExistsError, a 500); serve makes it first.
    assert (STACK / "storage" / "webassets" / ".webassets-cache").is_dir()
    statuses = [line.split('"')[2].split()[0] for line in
                (STACK / "log" / "access.log").read_text().splitlines()]
    assert "500" not in statuses


@ON_DEFAULT_VERSION
def test_every_process_sees_an_organization_renamed(portal, token):
    """No web process keeps the old title in a cache of its own (catalogue, search results)."""
    urls = [portal["url"] + "/catalog.ttl", portal["url"] + "/api/3/action/package_search"
            "?fq=organization:ville-de-montreal&rows=1"] * 8
    # Every worker has read the organization as it was.
    assert len(_answering_workers(portal, urls)) == 2
    title = f"Ville de Montreal {uuid.uuid4().hex[:8]}"

    # The organization schema's title is bilingual; CKAN's title is its French.
    renamed = _api(portal, "organization_patch", token, id="ville-de-montreal",
                   title_translated={"fr": title, "en": f"{title} (en)"})
    assert renamed["title"] == title

    assert len(_answering_workers(portal, urls)) == 2
    stale = []
    for url in urls * 2:
        text = _get(url)[1].decode()
        if url.endswith(".ttl"):
            seen = f'"{title}"' in text
        else:
            seen = json.loads(text)["result"]["results"][0]["organization"]["title"] == title
        if not seen:
            stale.append(url.rpartition("/")[2])
    assert not stale, f"reads with the old title: {stale}"


def _dataset_names(portal) -> set[str]:
    """The names of the datasets an anonymous visitor finds."""
    found = _api(portal, "package_search", rows=1000)
    assert found["count"] == len(found["results"])
    return {dataset["name"] for dataset in found["results"]}


@ON_DEFAULT_VERSION
def test_serving_again_keeps_what_the_portal_holds(portal, token):
    before = _processes(portal)
    # An option changed by the administrator is in force once served again.
    subprocess.run([str(_ckan(portal)), "config-tool", str(STACK / "ckan.ini"),
                    "ckanext.quebec.security.csp_extra = img-src https://images.example.org"],
                   env=portal["env"], capture_output=True, check=True)
    datasets_before = _dataset_names(portal)
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
    datasets_after = _dataset_names(portal)
    assert datasets_after == datasets_before, (
        f"gained {datasets_after - datasets_before}, lost {datasets_before - datasets_after}")
    summaries = [line for line in (STACK / "log" / "setup.log").read_text().splitlines()
                 if line.startswith("Demo catalogue loaded")]
    assert len(summaries) == 2
    assert f"datasets 0 created / {len(_demo_titles())} kept" in summaries[-1]
    # Every process was restarted, and reads the configuration again.
    after = _processes(portal)
    for kind, pids in before.items():
        assert not set(pids) & set(after[kind]), kind
        assert not any(_command_line(pid) for pid in pids), f"an old {kind} process still runs"
    with urllib.request.urlopen(portal["url"] + "/", timeout=30) as response:
        assert "https://images.example.org" in response.headers["Content-Security-Policy"]


def _server_errors(limit: int = 12000) -> str:
    """The tracebacks the web and jobs processes logged: the stack is gone after the test."""
    blocks = []
    for log in sorted((STACK / "log").glob("*.log")):
        if log.name in ("access.log", "postgresql.log", "redis.log", "setup.log"):
            continue
        lines, shown_until = log.read_text(errors="replace").splitlines(), 0
        for number, line in enumerate(lines):
            # an ERROR line's block often holds its traceback: each line shown once
            if number >= shown_until and (line.startswith("Traceback") or " ERROR " in line
                                          or "[ERROR]" in line):
                shown_until = number + 40
                blocks.append(f"{log.name}:{number + 1}: " + "\n".join(lines[number:shown_until]))
    return "\n--- errors logged by the portal ---\n" + "\n".join(blocks)[-limit:]


# the load and fault test runs on one CKAN version (the suite's time): deselected on others.
# 2.11, the version Données Québec runs; 2.12's run holds tests/solr.
@pytest.mark.ckan_versions("2.11")
def test_load_with_a_web_process_and_a_jobs_worker_killed(portal, tmp_path):
    """bench/load.py for a minute: visitors, editors and a sysadmin at once, while a web
    process and a jobs worker are killed with SIGKILL: no 5xx, no acknowledged write lost
    (database and index), no drift, every job done or queued again."""
    figures = tmp_path / "load.json"
    run = subprocess.run(
        [str(ROOT / f".venv-{portal['env']['CKAN_VERSION']}" / "bin" / "python"),
         str(ROOT / "bench" / "load.py"), "--url", portal["url"], "--ini", str(STACK / "ckan.ini"),
         "--duration", "60", "--kill-web-at", "20", "--kill-worker-at", "35", "--visitors", "4",
         "--editors", "2", "--sysadmins", "1", "--drain-timeout", "400", "--json", str(figures)],
        env=portal["env"], capture_output=True, text=True, timeout=900)

    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-3000:] + _server_errors()
    result = json.loads(figures.read_text())
    assert result["failures"] == [], _server_errors()
    assert [kill[0] for kill in result["kills"]] == ["web", "jobs worker"]
    assert all(pid for _what, pid, _how in result["kills"])
    assert result["writes"] > 0 and result["answered"] > 0


def test_stop_leaves_no_process(portal):
    started = [pid for pids in _processes(portal).values() for pid in pids]

    stopped = subprocess.run([str(SCRIPT), "stop"], env=portal["env"], capture_output=True,
                             text=True, timeout=120)

    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "ckan: down | jobs workers: down | harvest: down" in stopped.stdout
    assert not [pid for pid in started if _command_line(pid)]
    left = [path.parent.name for path in pathlib.Path("/proc").glob("[0-9]*/cmdline")
            if str(STACK) in _command_line(int(path.parent.name))]
    assert not left, [_command_line(int(pid)) for pid in left]
