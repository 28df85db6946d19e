"""Load and fault test of a served portal: visitors, editors and sysadmins at once, while a web
process and a jobs worker are killed with SIGKILL.

Runs against a portal that `scripts/portal serve` started (several web processes and two jobs
workers). For DURATION seconds:

- anonymous visitors load the home page, searches (words, filters), dataset and resource pages,
  previews (the table view's data endpoint) and the DCAT feeds;
- editors (each with an API token, editors of one organization) create datasets of the Québec
  schema with an uploaded CSV file, then change their titles and replace their files;
- sysadmins ask for quality checks (`quebec_quality_run`, in the background);
- at KILL_WEB_AT seconds one web worker process is killed (SIGKILL), at KILL_WORKER_AT one jobs
  worker.

Then it waits for the jobs to finish, and checks: no HTTP 5xx; every acknowledged write is in the
database and in the search index as acknowledged (`package_show`, `package_search`, and
`ckan quebec search check` reports no drift); every job done or queued again (none lost among
the failed jobs as abandoned). It prints p50/p95 per page kind and the throughput, and exits 1 on
any failure. Example, on a portal served by `scripts/portal serve`:

    .venv-2.12/bin/python bench/load.py --url http://127.0.0.1:5000 --ini .stack/ckan.ini \\
        --duration 600 --kill-web-at 120 --kill-worker-at 240
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid

import requests

KINDS_READ = ("home", "search", "search_filtered", "dataset", "resource", "preview_rows", "feed")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the portal's address")
    parser.add_argument("--ini", required=True, help="the portal's CKAN configuration file")
    parser.add_argument("--ckan", default=os.path.join(os.path.dirname(sys.executable), "ckan"),
                        help="the ckan command of the portal's virtualenv")
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--visitors", type=int, default=6)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--sysadmins", type=int, default=1)
    parser.add_argument("--kill-web-at", type=float, default=None, help="seconds; none: no kill")
    parser.add_argument("--kill-worker-at", type=float, default=None, help="seconds; none: no kill")
    parser.add_argument("--drain-timeout", type=float, default=600,
                        help="seconds to wait for the jobs queued during the run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the figures and failures to this file")
    return parser.parse_args(argv)


# --- the portal's processes ----------------------------------------------------------------


def _processes() -> dict[int, tuple[int, str]]:
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        found[int(entry)] = (ppid, cmdline)
    return found


def web_workers(ini: str) -> list[int]:
    """The web server's worker processes serving ``ini``: children of its master process."""
    procs = _processes()
    ini = os.path.realpath(ini)
    stack = os.path.dirname(ini)
    web = {pid for pid, (_ppid, cmd) in procs.items()
           if ("gunicorn" in cmd or "uwsgi" in cmd) and (ini in cmd or stack in cmd)}
    return sorted(pid for pid in web if procs[pid][0] in web)


def job_workers(ini: str) -> list[int]:
    """The jobs workers of the portal configured by ``ini``."""
    forms = {ini, os.path.realpath(ini), os.path.abspath(ini)}
    # not the shell that starts a worker again when it dies
    return sorted(pid for pid, (_ppid, cmd) in _processes().items()
                  if " jobs worker" in cmd and any(form in cmd for form in forms)
                  and not cmd.startswith(("bash ", "/bin/bash ", "/usr/bin/bash ")))


# --- the run's accounts and records ----------------------------------------------------------


def _token(args, user: str) -> str:
    out = subprocess.run([args.ckan, "-c", args.ini, "user", "token", "add", user, "load-test"],
                         check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()][-1]


class Api:
    def __init__(self, url: str, token: str | None = None):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False
        if token:
            self.session.headers["Authorization"] = token

    def call(self, action: str, files=None, **data):
        if files:
            response = self.session.post(f"{self.url}/api/3/action/{action}", data=data,
                                         files=files, timeout=120)
        else:
            response = self.session.post(f"{self.url}/api/3/action/{action}", json=data, timeout=120)
        return response


@dataclasses.dataclass
class Records:
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    timings: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    server_errors: list = dataclasses.field(default_factory=list)
    dropped: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    # name -> acknowledged title; name -> acknowledged resource ids
    titles: dict = dataclasses.field(default_factory=dict)
    # name -> titles of patches sent since its last acknowledged write that got no answer (a
    # process killed before or after its commit: either may be stored)
    unanswered_titles: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(set))
    resources: dict = dataclasses.field(default_factory=dict)
    # dataset name -> its writes: (kind, sent, answered, status or "dropped"), monotonic times
    history: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    quality_asked: set = dataclasses.field(default_factory=set)
    kills: list = dataclasses.field(default_factory=list)

    def timed(self, kind: str, send, name: str | None = None):
        """``send()``'s response, timed; ``name``: the dataset a write is for (its history)."""
        started = time.monotonic()
        try:
            response = send()
        except requests.RequestException as error:
            # A request in flight on a killed process loses its connection: no answer, no
            # acknowledgement. Counted, not an HTTP status.
            with self.lock:
                self.dropped[kind] += 1
                if name:
                    self.history[name].append((kind, started, time.monotonic(), "dropped"))
            return None
        elapsed = time.monotonic() - started
        with self.lock:
            if name:
                self.history[name].append((kind, started, started + elapsed, response.status_code))
            self.timings[kind].append(elapsed)
            if response.status_code >= 500:
                self.server_errors.append((kind, response.request.method, response.url,
                                           response.status_code, response.text[:300]))
        return response


def setup(args, api: Api) -> tuple[str, list[str], list[str]]:
    """An organization, its editors (tokens) and sysadmins (tokens) for this run."""
    run = uuid.uuid4().hex[:6]
    org = f"charge-{run}"
    response = api.call("organization_create", name=org,
                        title_translated={"fr": f"Essai de charge {run}", "en": f"Load test {run}"})
    response.raise_for_status()
    editors, sysadmins = [], []
    for index in range(args.editors):
        name = f"editeur-{run}-{index}"
        api.call("user_create", name=name, email=f"{name}@example.org",
                 password=uuid.uuid4().hex).raise_for_status()
        api.call("organization_member_create", id=org, username=name,
                 role="editor").raise_for_status()
        editors.append(_token(args, name))
    for index in range(args.sysadmins):
        sysadmins.append(_token(args, "admin"))
    return org, editors, sysadmins


def _csv(rows: int) -> bytes:
    lines = ["nom,quartier,hauteur_m,annee"]
    quartiers = ["Rosemont", "Verdun", "Limoilou", "Sillery", "Hull"]
    lines += [f"arbre {i},{quartiers[i % 5]},{i % 30 + 1}.5,{2000 + i % 24}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def dataset_dict(org: str, name: str, title: str) -> dict:
    return {
        "name": name, "owner_org": org,
        "title_translated": {"fr": title, "en": f"{title} (en)"},
        "notes_translated": {"fr": "Arbres publics inventoriés.", "en": "Public trees."},
        "keywords": {"fr": ["arbres"], "en": ["trees"]},
        "categories": ["environnement-ressources-naturelles-energie"],
        "license_id": "cc-by", "author": "Service des parcs", "author_email": "parcs@example.org",
        "update_frequency": "annual", "temporal_start": "2020-01-01", "language": "FR",
        "spatial": {"type": "Point", "coordinates": [-71.2, 46.8]},
    }


# --- the people ------------------------------------------------------------------------------


def visitor(args, records: Records, names: list[str], stop: threading.Event, seed: int):
    rng = random.Random(seed)
    session = requests.Session()
    session.trust_env = False
    url = args.url.rstrip("/")
    words = ["arbres", "transport", "données", "vélo", "eau", "budget", "population"]
    while not stop.is_set():
        kind = rng.choice(KINDS_READ)
        name = rng.choice(names) if names else None
        if kind == "home":
            target = f"{url}/"
        elif kind == "search":
            target = f"{url}/dataset/?q={rng.choice(words)}"
        elif kind == "search_filtered":
            target = f"{url}/dataset/?q={rng.choice(words)}&res_format=CSV&sort=metadata_modified+desc"
        elif kind == "dataset" and name:
            target = f"{url}/dataset/{name}"
        elif kind == "feed":
            target = f"{url}/catalog.ttl" if rng.random() < 0.5 else f"{url}/dataset/{name}.ttl"
        elif kind in ("resource", "preview_rows") and name:
            shown = records.timed("dataset_json", lambda: session.get(
                f"{url}/api/3/action/package_show", params={"id": name}, timeout=60))
            if shown is None or shown.status_code != 200 or not shown.json()["result"]["resources"]:
                continue
            resource = rng.choice(shown.json()["result"]["resources"])
            if kind == "resource":
                target = f"{url}/dataset/{name}/resource/{resource['id']}"
            else:
                target = (f"{url}/api/3/action/quebec_viz_rows?resource_id={resource['id']}"
                          f"&limit=50")
        else:
            continue
        records.timed(kind, lambda: session.get(target, timeout=60))


def editor(args, records: Records, org: str, token: str, stop: threading.Event, seed: int):
    rng = random.Random(seed)
    api = Api(args.url, token)
    mine: list[str] = []
    while not stop.is_set():
        if not mine or rng.random() < 0.4:
            name = f"charge-{uuid.uuid4().hex[:10]}"
            title = f"Arbres {name[-4:]}"
            response = records.timed("write_create", lambda: api.call(
                "package_create", **dataset_dict(org, name, title)), name)
            if response is None or response.status_code != 200:
                continue
            with records.lock:
                records.titles[name] = title
                records.resources[name] = []
            mine.append(name)
            upload = _csv(rng.randint(50, 2000))
            response = records.timed("write_upload", lambda: api.call(
                "resource_create", package_id=name, url="arbres.csv", format="CSV",
                resource_type="donnees", name_translated=json.dumps({"fr": "Arbres", "en": "Trees"}),
                files={"upload": ("arbres.csv", io.BytesIO(upload), "text/csv")}), name)
            if response is not None and response.status_code == 200:
                with records.lock:
                    records.resources[name].append(response.json()["result"]["id"])
        else:
            name = rng.choice(mine)
            title = f"Arbres {uuid.uuid4().hex[:6]}"
            response = records.timed("write_patch", lambda: api.call(
                "package_patch", id=name, title_translated={"fr": title, "en": f"{title} (en)"}),
                name)
            if response is not None and response.status_code == 200:
                with records.lock:
                    records.titles[name] = title
                    records.unanswered_titles.pop(name, None)
            elif response is None:
                with records.lock:
                    records.unanswered_titles[name].add(title)


def sysadmin(args, records: Records, token: str, stop: threading.Event, seed: int):
    rng = random.Random(seed)
    api = Api(args.url, token)
    while not stop.is_set():
        with records.lock:
            names = list(records.titles)
        if names:
            name = rng.choice(names)
            response = records.timed("quality_run", lambda: api.call(
                "quebec_quality_run", id=name, background=True), name)
            if response is not None and response.status_code == 200:
                with records.lock:
                    records.quality_asked.add(name)
        stop.wait(rng.uniform(2, 5))


def killer(args, records: Records, started: float, stop: threading.Event):
    plan = sorted((at, what) for at, what in ((args.kill_web_at, "web"),
                                              (args.kill_worker_at, "jobs worker"))
                  if at is not None)
    for at, what in plan:
        if stop.wait(max(0.0, started + at - time.monotonic())):
            return
        pids = web_workers(args.ini) if what == "web" else job_workers(args.ini)
        if not pids:
            records.kills.append((what, None, "no such process found"))
            continue
        pid = random.Random(args.seed).choice(pids)
        os.kill(pid, signal.SIGKILL)
        records.kills.append((what, pid, f"killed at {time.monotonic() - started:.0f} s"))


# --- after the run -----------------------------------------------------------------------------


def _same_millisecond(indexed: str, stored: str) -> bool:
    """The index keeps dates as Solr does, in UTC with a Z and to the millisecond;
    package_show gives the stored date, without a Z, to the microsecond."""
    def instant(text: str) -> datetime.datetime:
        value = datetime.datetime.fromisoformat(text.rstrip("Z"))
        return value.replace(microsecond=value.microsecond // 1000 * 1000, tzinfo=None)
    return instant(indexed) == instant(stored)


def check_writes(api: Api, records: Records) -> list[str]:
    """Every acknowledged write in the database and in the index, as acknowledged."""
    failures = []
    for name, title in sorted(records.titles.items()):
        shown = api.call("package_show", id=name)
        if shown.status_code != 200:
            failures.append(f"{name}: acknowledged, package_show answers {shown.status_code}")
            continue
        dataset = shown.json()["result"]
        stored = dataset["title_translated"]["fr"]
        if stored != title and stored not in records.unanswered_titles.get(name, ()):
            failures.append(f"{name}: title {stored!r}, acknowledged {title!r}"
                            f" (unanswered since: {sorted(records.unanswered_titles.get(name, ()))})")
        missing = set(records.resources[name]) - {r["id"] for r in dataset["resources"]}
        if missing:
            failures.append(f"{name}: acknowledged resources missing: {sorted(missing)}")
        found = api.call("package_search", fq=f'name:"{name}"', include_private=True,
                         fl="name,metadata_modified,title").json()["result"]["results"]
        if not found:
            failures.append(f"{name}: not in the search index")
        elif not _same_millisecond(found[0]["metadata_modified"], dataset["metadata_modified"]):
            failures.append(f"{name}: indexed as of {found[0]['metadata_modified']}, "
                            f"stored as of {dataset['metadata_modified']}")
    return failures


def check_drift(args, api: Api, records: Records, started: float) -> list[str]:
    result = subprocess.run([args.ckan, "-c", args.ini, "quebec", "search", "check"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        # the command lists each drifted id indented, then "  ... and N more"
        ids = [line.strip() for line in result.stdout.splitlines()
               if line.startswith("  ") and not line.startswith("  ...")]
        return [f"ckan quebec search check: exit {result.returncode}: "
                f"{(result.stdout + result.stderr)[-800:]}"] + [
                    _drifted(api, records, started, dataset_id) for dataset_id in ids[:5]]
    return []


def _drifted(api: Api, records: Records, started: float, dataset_id: str) -> str:
    """What the database and the index hold of a drifted dataset, and what this run did to it."""
    fields = ("name", "state", "private", "metadata_modified", "title")
    shown = api.call("package_show", id=dataset_id)
    stored = ({key: shown.json()["result"].get(key) for key in fields}
              if shown.status_code == 200 else f"package_show {shown.status_code}")
    found = api.call("package_search", fq=f'id:"{dataset_id}"', include_private=True,
                     include_drafts=True, fl=",".join(fields)).json()["result"]["results"]
    name = stored["name"] if isinstance(stored, dict) else (found[0]["name"] if found else None)
    writes = [(kind, round(sent - started, 2), round(answered - started, 2), status)
              for kind, sent, answered, status in records.history.get(name, [])]
    return f"  {dataset_id}: database {stored}; index {found}; this run's writes {writes}"


def jobs_state(args) -> dict:
    """The portal's RQ queues: queued, started, finished, and the failed jobs with their reason."""
    import configparser

    import redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    config = configparser.ConfigParser(interpolation=None)
    config.read(args.ini)
    connection = redis.Redis.from_url(config.get("app:main", "ckan.redis.url"))
    prefix = f"ckan:{config.get('app:main', 'ckan.site_id')}:"
    state = {"queued": 0, "started": 0, "finished": 0, "failed": []}
    for queue in Queue.all(connection=connection):
        if not queue.name.startswith(prefix):
            continue
        started = StartedJobRegistry(queue=queue)
        # What a worker's maintenance does every few minutes: a job whose worker died is
        # retried (or failed, when it has no retry left) once its heartbeat has expired.
        started.cleanup()
        state["queued"] += queue.count
        state["started"] += started.count
        state["finished"] += FinishedJobRegistry(queue=queue).count
        for job_id in FailedJobRegistry(queue=queue).get_job_ids():
            job = queue.fetch_job(job_id)
            result = job.latest_result() if job else None
            text = ((result.exc_string if result else "") or "").strip()
            state["failed"].append({"id": job_id, "title": job.meta.get("title") if job else None,
                                    "reason": text.splitlines()[-1] if text else ""})
    return state


def wait_for_jobs(args) -> dict:
    deadline = time.monotonic() + args.drain_timeout
    state = jobs_state(args)
    while (state["queued"] or state["started"]) and time.monotonic() < deadline:
        time.sleep(5)
        state = jobs_state(args)
    return state


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(records: Records, elapsed: float) -> dict:
    figures = {}
    for kind, values in sorted(records.timings.items()):
        figures[kind] = {"count": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
                         "p95_ms": round(percentile(values, 0.95) * 1000, 1)}
    total = sum(len(v) for v in records.timings.values())
    print(f"{'kind':18} {'count':>7} {'p50 ms':>9} {'p95 ms':>9}")
    for kind, figure in figures.items():
        print(f"{kind:18} {figure['count']:7} {figure['p50_ms']:9} {figure['p95_ms']:9}")
    print(f"throughput: {total / elapsed:.1f} requests/s over {elapsed:.0f} s ({total} answered, "
          f"{sum(records.dropped.values())} dropped by the kills: {dict(records.dropped)})")
    return {"figures": figures, "throughput": total / elapsed, "answered": total,
            "dropped": dict(records.dropped)}


def run(args) -> int:
    admin = Api(args.url, _token(args, "admin"))
    org, editor_tokens, sysadmin_tokens = setup(args, admin)
    names = [d["name"] for d in admin.call("package_search", rows=100).json()["result"]["results"]]
    records, stop = Records(), threading.Event()
    threads = [threading.Thread(target=visitor, args=(args, records, names, stop, args.seed + i))
               for i in range(args.visitors)]
    threads += [threading.Thread(target=editor, args=(args, records, org, token, stop, args.seed + 100 + i))
                for i, token in enumerate(editor_tokens)]
    threads += [threading.Thread(target=sysadmin, args=(args, records, token, stop, args.seed + 200 + i))
                for i, token in enumerate(sysadmin_tokens)]
    started = time.monotonic()
    threads.append(threading.Thread(target=killer, args=(args, records, started, stop)))
    for thread in threads:
        thread.start()
    stop.wait(args.duration)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    summary = report(records, elapsed)
    jobs = wait_for_jobs(args)
    failures = [f"HTTP {status} {method} {url}: {text}"
                for _kind, method, url, status, text in records.server_errors]
    failures += check_writes(admin, records)
    failures += check_drift(args, admin, records, started)
    if jobs["queued"] or jobs["started"]:
        failures.append(f"jobs not finished after {args.drain_timeout:.0f} s: {jobs}")
    failures += [f"job lost: {job}" for job in jobs["failed"]
                 if "abandon" in job["reason"].lower() or "killed" in job["reason"].lower()]
    for what, pid, how in records.kills:
        print(f"kill -9 {what}: {pid} {how}")
        if pid is None:
            failures.append(f"kill -9 {what}: {how}")
    print(f"writes acknowledged: {len(records.titles)} datasets, "
          f"{sum(len(v) for v in records.resources.values())} uploads; quality checks asked "
          f"for {len(records.quality_asked)} datasets; jobs: {jobs['finished']} finished, "
          f"{len(jobs['failed'])} failed")
    for failure in failures:
        print(f"FAILURE: {failure}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({**summary, "failures": failures, "kills": records.kills, "jobs": jobs,
                       "writes": len(records.titles)}, f, indent=1)
    print("load test: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(run(parse_args()))
