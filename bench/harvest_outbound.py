"""Benchmark of outbound harvesting: a second CKAN harvests the portal's DATASETS-dataset catalogue.

Run through bench/harvest.py:

    CKAN_REDIS_URL=redis://127.0.0.1:6399/40 .venv-2.12/bin/python bench/harvest.py \\
        --direction outbound --ckan-ini test.ini --database harvest_bench --datasets 1000

Empties and fills its database (created if missing) with DATASETS public
datasets of the Québec schema (one made by package_create, copied row by row
under new identifiers, names and titles) and one private one, indexes them
with the real `ckan search-index rebuild`, and serves the portal (the plugins
tests/harvest/test_outbound.py serves) with gunicorn on 127.0.0.1. The
harvesting CKAN of that test (stock CKAN, ckanext-harvest, ckanext-dcat,
quebec_search as its search backend) runs in a schema of its own of a second
database (DATABASE_peer) and harvests the portal with `ckan harvester
run-test`, each in a process of its own: with dcat_rdf_harvester through
/catalog.ttl and its hydra pages, then with ckan_harvester through the
action API. For each: wall time, datasets/s, the job's stages, the peak
memory (RSS) of the harvesting process and a count of what arrived (every
public dataset, not the private one); then the peak RSS of the portal's
gunicorn workers.

Both databases are emptied and filled: never point them at a portal's.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from typing import Iterator

import harvest as inbound  # bench/harvest.py: database, migrations, in-process CKAN
import search as search_bench
from site_ini import site_ini

from tests.dcat import schema_datasets

PRIVATE_TITLES = {"fr": "Jeu privé", "en": "Private dataset"}


def fill_portal(args: argparse.Namespace, url: str) -> None:
    """``args.datasets`` public copies of a dataset of the Québec schema, and a private one."""
    from ckan.tests import helpers

    app = inbound.load_ckan(url, args.ckan_ini, schema_datasets.SERVED_PLUGINS)
    with app._wsgi_app.test_request_context():
        inbound.empty_database()
        organizations = schema_datasets.partners()
        model_dataset = schema_datasets.create(organizations["mtq"]["id"], name="modele")
        copy_dataset(model_dataset["id"], args.datasets)
        helpers.call_action("dataset_purge", id=model_dataset["id"])


def copy_dataset(model_id: str, count: int, batch: int = 1000) -> None:
    """``count`` copies of the dataset ``model_id``'s rows (itself, resources, groups, tags)
    named ``sortant-N``, and one private copy named ``prive``."""
    import sqlalchemy as sa
    from ckan import model

    tables = {"package": (model.package_table, "id"),
              "resource": (model.resource_table, "package_id"),
              "member": (model.member_table, "table_id"),
              "package_tag": (model.package_tag_table, "package_id")}
    with model.ensure_engine().begin() as connection:
        rows = {name: [dict(row._mapping) for row in connection.execute(
                    sa.select(table).where(table.c[column] == model_id))]
                for name, (table, column) in tables.items()}
        copies = [(f"sortant-{n:06d}", {"fr": f"Jeu sortant {n}", "en": f"Outbound dataset {n}"},
                   False) for n in range(count)] + [("prive", PRIVATE_TITLES, True)]
        for start in range(0, len(copies), batch):
            out: dict[str, list[dict]] = {name: [] for name in tables}
            for name, titles, private in copies[start:start + batch]:
                package_id = str(uuid.uuid4())
                extras = dict(rows["package"][0]["extras"] or {})
                extras["title_translated"] = json.dumps(titles)
                out["package"].append(dict(rows["package"][0], id=package_id, name=name,
                                           title=titles["fr"], private=private, extras=extras))
                for table, column in (("resource", "package_id"), ("member", "table_id"),
                                      ("package_tag", "package_id")):
                    out[table] += [dict(row, id=str(uuid.uuid4()), **{column: package_id})
                                   for row in rows[table]]
            for name, (table, _) in tables.items():
                if out[name]:
                    connection.execute(table.insert(), out[name])


def rebuild_index(url: str, ckan_ini: str) -> float:
    """Seconds of the real `ckan search-index rebuild` of the portal."""
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=url)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    with site_ini(ckan_ini, schema_datasets.SERVED_PLUGINS) as ini:
        started = time.perf_counter()
        subprocess.run([ckan, "-c", ini, "search-index", "rebuild", "--quiet"], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


@contextlib.contextmanager
def portal_server(url: str, ckan_ini: str, log: pathlib.Path) -> Iterator[tuple[str, int]]:
    """The portal under gunicorn (2 processes x 4 threads) on a free port: its URL and pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    with site_ini(ckan_ini, schema_datasets.SERVED_PLUGINS, {"ckan.site_url": base}) as ini, \
            open(log, "w", encoding="utf-8") as out:
        env = dict(os.environ, CKAN_INI=ini, CKAN_SQLALCHEMY_URL=url)
        server = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
             "--worker-class", "gthread", "--no-control-socket", "--timeout", "600",
             "ckanext.quebec.wsgi:create_app()"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_until_up(base + "/api/3/action/status_show", server)
            yield base, server.pid
        finally:
            server.terminate()  # gunicorn's master stops its workers
            server.wait(timeout=60)


def _wait_until_up(address: str, server: subprocess.Popen, seconds: int = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}): see its log")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(address, timeout=30):
                return
        time.sleep(1)
    sys.exit(f"the portal did not answer {address} in {seconds} s")


def workers_peak_mb(master: int) -> list[float]:
    """Peak RSS (VmHWM) of each of gunicorn's workers, in MB."""
    children = pathlib.Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def new_harvester(database: str, folder: pathlib.Path):
    """tests/harvest/test_outbound.py's harvesting CKAN, in a schema of ``database`` (created)."""
    import sqlalchemy as sa

    url = search_bench.ensure_database(database, None)  # empty: the peer's schema is its own
    os.environ["CKAN_DATASTORE_WRITE_URL"] = url  # the test module's DATABASE
    from tests.harvest import test_outbound

    engine = sa.create_engine(url)
    return test_outbound.new_harvester(engine, folder), engine, test_outbound.SCHEMA


def timed_run(harvester, source: str, log: pathlib.Path) -> tuple[float, float]:
    """`ckan harvester run-test` of ``source`` in a process of its own: seconds and its peak RSS (MB)."""
    harvester.ckan("search-index", "rebuild", source)  # as Harvester.run does
    with open(log, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen([str(harvester.ckan_bin), "-c", str(harvester.ini), "harvester",
                                    "run-test", source], env=harvester.env, stdout=out,
                                   stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"run-test {source} failed ({process.returncode}): see {log}")
    return seconds, usage.ru_maxrss / 1024


def arrived(engine, schema: str, source_id: str) -> tuple[int, int]:
    """(active datasets the source's current objects hold, private dataset copies anywhere)."""
    import sqlalchemy as sa

    with engine.connect() as connection:
        held = connection.execute(sa.text(
            f"SELECT count(DISTINCT p.id) FROM {schema}.package p JOIN {schema}.harvest_object o"
            " ON o.package_id = p.id AND o.current WHERE o.harvest_source_id = :source"
            " AND p.state = 'active'"), {"source": source_id}).scalar_one()
        private = connection.execute(sa.text(
            f"SELECT count(*) FROM {schema}.package WHERE name = 'prive' OR title = ANY(:titles)"),
            {"titles": list(PRIVATE_TITLES.values())}).scalar_one()
    return held, private


def _stages(job: dict) -> str:
    def at(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(job[key]) if job.get(key) else None

    gather, gathered, finished = at("gather_started"), at("gather_finished"), at("finished")
    if not (gather and gathered and finished):
        return "stages not recorded"
    return (f"gather {(gathered - gather).total_seconds():.1f} s, fetch+import "
            f"{(finished - gathered).total_seconds():.1f} s")


def harvest_portal(args: argparse.Namespace, base: str, folder: pathlib.Path) -> None:
    harvester, engine, schema = new_harvester(args.database + "_peer", folder)
    try:
        for name, address, source_type, config in (
                ("portail-dcat", base + "/catalog.ttl", "dcat_rdf", '{"rdf_format": "turtle"}'),
                ("portail-ckan", base, "ckan", "{}")):
            source = harvester.source(name, address, source_type, config=config)
            seconds, peak = timed_run(harvester, name, folder / f"{name}.log")
            job = harvester.actions(("harvest_job_list", {"source_id": source["id"]}))[0][0]
            held, private = arrived(engine, schema, source["id"])
            print(f"{source_type} harvester ({name}): {held:,} of {args.datasets:,} public datasets"
                  f" arrived, {private} private; {seconds:.1f} s = {held / seconds:.1f} datasets/s"
                  f" ({_stages(job)}); peak RSS of the harvesting process {peak:.0f} MB;"
                  f" {job['stats']}; load {_load()}")
            if held != args.datasets or private:
                print(f"  COUNT MISMATCH: see {folder / (name + '.log')}")
    finally:
        engine.dispose()


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main(args: argparse.Namespace) -> None:
    sys.stdout.reconfigure(line_buffering=True)
    os.environ.setdefault("CKAN_REDIS_URL", "redis://127.0.0.1:6399/40")
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, load {_load()}, "
          f"{sys.executable}")
    url = search_bench.ensure_database(args.database, args.ckan_ini)
    inbound.migrate(url, args.ckan_ini)
    started = time.perf_counter()
    fill_portal(args, url)
    print(f"portal: {args.datasets:,} public datasets and 1 private written in "
          f"{time.perf_counter() - started:.0f} s, indexed in {rebuild_index(url, args.ckan_ini):.0f} s")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="harvest-outbound-"))
    with portal_server(url, args.ckan_ini, folder / "gunicorn.log") as (base, master):
        harvest_portal(args, base, folder)
        print("portal's gunicorn workers, peak RSS: "
              + ", ".join(f"{mb:.0f} MB" for mb in workers_peak_mb(master)))
    print(f"logs in {folder}")
