"""Benchmark of inbound harvesting: the portal harvests a DATASETS-dataset DCAT feed served locally.

Empties and fills its own database (created if missing), serves a partner's
DCAT feed (Turtle, hydra pages of --page-size datasets, written by the
suite's own profile from one dataset of the Québec schema copied under new
identifiers and titles) from a local HTTP server, and measures:

- the harvest through ckanext-harvest's real Redis queues, as
  ``ckan harvester gather-consumer`` / ``fetch-consumer`` run it, with the
  quebec_harvest hooks (tests/harvest/queues.py): gather, fetch and import
  times, datasets/s, the peak memory growth of the process;
- a second harvest of the unchanged feed (every dataset "not modified");
- the suite's import (``quebec_dcat_import``, as ``ckan quebec dcat import``
  runs it: one job of the same harvester run in the process, no queues) of a
  copy of the feed (other URIs, served under /copy) into another organization,
  for the ratio.

    CKAN_REDIS_URL=redis://127.0.0.1:6399/40 .venv-2.12/bin/python bench/harvest.py \\
        --ckan-ini test.ini --database harvest_bench --datasets 10000

``--direction outbound`` measures the other way (bench/harvest_outbound.py): a
second, stock CKAN harvests the portal, served by gunicorn, with
dcat_rdf_harvester and ckan_harvester.

The database is emptied and filled: never point it at a portal's database.
"""
from __future__ import annotations

import argparse
import copy
import http.server
import os
import resource
import subprocess
import sys
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, ROOT)

import search as search_bench  # noqa: E402  (bench/search.py: the database set-up)
from site_ini import site_ini  # noqa: E402
from tests.dcat import schema_datasets  # noqa: E402  (a dataset of the Québec schema)
from tests.harvest.queues import _drain  # noqa: E402  (what the consumer commands do)

PLUGINS = ("quebec_search scheming_datasets scheming_organizations quebec_schema quebec_partners "
           "dcat quebec_dcat harvest dcat_rdf_harvester quebec_ckan_harvester quebec_harvest")
PROFILES = ["euro_dcat_ap_3", "quebec_dcat_ap_3"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default=os.path.join(ROOT, "test.ini"))
    parser.add_argument("--database", default="harvest_bench")
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--no-import", action="store_true",
                        help="skip the suite's own import (the ratio)")
    parser.add_argument("--direction", choices=["inbound", "outbound"], default="inbound",
                        help="outbound: a second CKAN harvests the portal (bench/harvest_outbound.py)")
    return parser.parse_args()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def migrate(url: str, ckan_ini: str) -> None:
    """The tables of ckanext-harvest and quebec_partners and quebec_harvest's guid index, beside
    core's and quebec_search's."""
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=url)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    with site_ini(ckan_ini, PLUGINS) as ini:
        for plugin in ("harvest", "quebec_harvest", "quebec_partners"):
            subprocess.run([ckan, "-c", ini, "db", "upgrade", "-p", plugin], env=env, check=True,
                           capture_output=True)


def load_ckan(url: str, ckan_ini: str, plugins: str = PLUGINS):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    os.environ["CKAN_SQLALCHEMY_URL"] = url
    config = load_config(ckan_ini)
    config["ckan.plugins"] = plugins
    config["ckanext.quebec.dcat.import_allow_private_addresses"] = True
    return make_app(config)


def empty_database() -> None:
    import sqlalchemy as sa
    from ckan import model

    model.Session.remove()
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text(
            "TRUNCATE package, resource, member, package_tag, tag, \"group\", harvest_source,"
            " harvest_job, harvest_object, quebec_search_document, quebec_search_segment,"
            " quebec_search_facet_count CASCADE"))


def feed_pages(base: str, model_dataset: dict, count: int, page_size: int,
               prefix: str = "") -> dict[str, bytes]:
    """The feed's hydra pages by path (under ``prefix``): ``count`` copies of ``model_dataset``, each its own."""
    from ckanext.dcat.processors import RDFSerializer

    pages = {}
    last = (count - 1) // page_size + 1
    base += prefix
    for number in range(1, last + 1):
        datasets = []
        for n in range((number - 1) * page_size, min(count, number * page_size)):
            dataset = copy.deepcopy(model_dataset)
            dataset.update(id=str(uuid.uuid4()), name=f"jeu-{n}", title_translated={
                "fr": f"Jeu de données {n}", "en": f"Dataset {n}"})
            dataset["extras"] = [e for e in dataset.get("extras") or [] if e["key"] != "identifier"]
            dataset["identifier"] = f"PARTENAIRE-{n:06d}"
            for resource_dict in dataset["resources"]:
                resource_dict["id"] = str(uuid.uuid4())
            datasets.append(dataset)
        info = {"count": count, "items_per_page": page_size,
                "current": f"{base}/catalog.ttl?page={number}",
                "first": f"{base}/catalog.ttl?page=1", "last": f"{base}/catalog.ttl?page={last}"}
        if number < last:
            info["next"] = f"{base}/catalog.ttl?page={number + 1}"
        body = RDFSerializer(profiles=PROFILES).serialize_catalog(
            {}, dataset_dicts=datasets, _format="turtle", pagination_info=info)
        pages[f"{prefix}/catalog.ttl?page={number}"] = body.encode() if isinstance(body, str) else body
    pages[f"{prefix}/catalog.ttl"] = pages[f"{prefix}/catalog.ttl?page=1"]
    return pages


def serve(pages: dict[str, bytes]) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def harvest(source_id: str, user: str) -> dict:
    """One job through the real queues, timed stage by stage; its report."""
    import ckan.plugins.toolkit as tk
    from ckanext.harvest import queue

    started = time.perf_counter()
    memory = _max_rss_mb()
    job = tk.get_action("harvest_job_create")({"user": user}, {"source_id": source_id, "run": True})
    _drain(queue.get_gather_consumer(), queue.gather_callback)
    gathered = time.perf_counter()
    objects = _drain(queue.get_fetch_consumer(), _timed(queue.fetch_callback))
    imported = time.perf_counter()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source_id})
    done = tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job["id"]})
    return {"gather": gathered - started, "import": imported - gathered,
            "total": time.perf_counter() - started, "objects": objects,
            "stats": done["stats"], "memory": _max_rss_mb() - memory}


def _timed(callback, every: int = 1000):
    """``callback``, printing the time per object of each ``every`` objects it handles.

    A time per object that grows along the run is a cost that grows with the catalogue.
    """
    handled, since = 0, time.perf_counter()

    def timed(*args) -> None:
        nonlocal handled, since
        callback(*args)
        handled += 1
        if handled % every == 0:
            now = time.perf_counter()
            print(f"   objects {handled - every + 1:,}-{handled:,}: {(now - since) * 1000 / every:.0f} ms"
                  f" per object (load {os.getloadavg()[0]:.1f})")
            since = now

    return timed


def action_import(url: str, organization: str, user: str) -> tuple[float, int, float]:
    """quebec_dcat_import of ``url``: seconds, datasets created, peak memory growth."""
    import ckan.plugins.toolkit as tk

    memory = _max_rss_mb()
    started = time.perf_counter()
    report = tk.get_action("quebec_dcat_import")({"user": user},
                                                 {"organization": organization, "url": url})
    return time.perf_counter() - started, len(report["created"]), _max_rss_mb() - memory


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    url = search_bench.ensure_database(ARGS.database, ARGS.ckan_ini)
    migrate(url, ARGS.ckan_ini)
    os.environ.setdefault("CKAN_REDIS_URL", "redis://127.0.0.1:6399/40")
    app = load_ckan(url, ARGS.ckan_ini)
    import ckan.plugins.toolkit as tk
    from ckan.tests import helpers
    from ckanext.harvest import queue

    with app._wsgi_app.test_request_context():
        empty_database()
        queue.purge_queues()
        user = helpers.call_action("get_site_user")["name"]
        organizations = schema_datasets.partners()
        model_dataset = schema_datasets.create(organizations["gouv"]["id"], name="modele")
        model_dataset = helpers.call_action("package_show", id=model_dataset["id"])
        helpers.call_action("dataset_purge", id=model_dataset["id"])
        started = time.perf_counter()
        pages: dict[str, bytes] = {}
        base, httpd = serve(pages)  # filled once its address is known
        pages.update(feed_pages(base, model_dataset, ARGS.datasets, ARGS.page_size))
        print(f"feed: {ARGS.datasets:,} datasets in {len(pages) - 1} pages, "
              f"{sum(len(b) for p, b in pages.items() if p != '/catalog.ttl') / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - started:.0f} s)")
        source = helpers.call_action(
            "harvest_source_create", {"user": user}, name="partenaire", url=base + "/catalog.ttl",
            source_type="dcat_rdf", owner_org=organizations["mtq"]["id"], frequency="MANUAL")
        for label in ("first harvest", "second harvest (unchanged feed)"):
            run = harvest(source["id"], user)
            print(f"{label}: {run['objects']:,} objects, gather {run['gather']:.1f} s, "
                  f"fetch+import {run['import']:.1f} s, total {run['total']:.1f} s = "
                  f"{ARGS.datasets / run['total']:.1f} datasets/s; peak memory growth "
                  f"{run['memory']:.0f} MB; {run['stats']}")
        if not ARGS.no_import:
            pages.update(feed_pages(base, model_dataset, ARGS.datasets, ARGS.page_size, "/copy"))
            seconds, created, memory = action_import(base + "/copy/catalog.ttl",
                                                     organizations["gouv"]["name"], user)
            print(f"the suite's import (quebec_dcat_import, one job in-process): {created:,} datasets in "
                  f"{seconds:.1f} s = {created / seconds:.1f} datasets/s; peak memory growth "
                  f"{memory:.0f} MB")
        httpd.shutdown()


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.direction == "outbound":
        import harvest_outbound

        harvest_outbound.main(ARGS)
    else:
        main()
