"""Benchmark of quebec_viz: preview extract of a 1 GB CSV (time, peak memory), preview page and data endpoint latency.

1. Writes a ~1 GB CSV into a temporary folder (ten million rows: id, date,
   municipality, value, latitude, longitude, comment), as an upload in a
   throw-away CKAN storage folder.
2. Builds its preview extract exactly as the preview job does, in the child
   process ``python -m ckanext.quebec.viz.child``, and reports the wall time
   and that process's peak resident memory (its own rusage, from wait4).
3. Loads CKAN on its own database (created if missing, emptied of nothing:
   never point it at a portal's database), creates a dataset whose CSV
   resource gets that extract, then times through the WSGI app (server time,
   no network): the resource page with its table view, and the data endpoint
   (quebec_viz_rows) answering pages of 100 rows at random offsets, sorted
   and unsorted. Prints medians and 95th percentiles.

    .venv-2.12/bin/python bench/viz.py --ckan-ini test.ini --database ckan_bench_viz

The CSV and the storage folder are deleted at the end.

With ``--datastore-write-url`` and ``--datastore-read-url`` (a DataStore
database set up as CKAN's ``datastore set-permissions`` does), it measures
instead the extract of a DataStore table of ``--datastore-rows`` rows (seven
columns of the DataStore's types), built by the child process from the
table, and drops the table at the end.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = "quebec_search quebec_viz quebec_table_view quebec_chart_view quebec_map_view"
RESOURCE_ID = "b3c1e2f4-0000-4000-8000-00000000b1e5"

sys.path.insert(0, os.path.join(ROOT, "bench"))
import search as search_bench  # noqa: E402  (bench/search.py: the benchmark database)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default=os.path.join(ROOT, "test.ini"))
    parser.add_argument("--database", default="ckan_bench_viz")
    parser.add_argument("--size-mb", type=int, default=1000, help="size of the CSV, in MB")
    parser.add_argument("--memory-limit", default="200MB", help="DuckDB's memory limit")
    parser.add_argument("--repeat", type=int, default=50, help="requests per measure")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--datastore-write-url", help="measure a DataStore table's extract instead")
    parser.add_argument("--datastore-read-url", help="the DataStore's read-only URL")
    parser.add_argument("--datastore-rows", type=int, default=1_000_000)
    return parser.parse_args()


DATASTORE_FIELDS = [("station", "text"), ("valeur", "numeric"), ("compte", "int4"),
                    ("mesure", "timestamp"), ("actif", "bool"), ("latitude", "float8"),
                    ("longitude", "float8")]


def run_child(order: dict) -> tuple[float, float]:
    """Run child.py on ``order``: wall seconds and the child's peak RSS in MB (wait4)."""
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "ckanext.quebec.viz.child"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    child.stdin.write(json.dumps(order))
    child.stdin.close()
    child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"the extract process failed (status {status})")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def measure_datastore(args: argparse.Namespace, work: str) -> None:
    """The extract of a DataStore table of ``--datastore-rows`` rows, read as the preview job reads it."""
    import psycopg2

    from ckanext.quebec.viz import extract

    table = RESOURCE_ID
    definition = ", ".join(f'"{name}" {kind}' for name, kind in DATASTORE_FIELDS)
    with psycopg2.connect(args.datastore_write_url) as database, database.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        cursor.execute(f'CREATE TABLE "{table}" (_id serial PRIMARY KEY, {definition})')
        cursor.execute(
            f'INSERT INTO "{table}" (station, valeur, compte, mesure, actif, latitude, longitude)'
            " SELECT 'station ' || (g %% 5000), (g %% 1000) / 7.0, g,"
            " timestamp '2020-01-01' + g * interval '1 minute', g %% 3 = 0,"
            " 45 + (g %% 300) / 100.0, -73 + (g %% 400) / 100.0 FROM generate_series(1, %s) AS g",
            [args.datastore_rows])
        print(f"DataStore table written: {args.datastore_rows} rows in {time.monotonic() - started:.1f} s")
    try:
        directory = os.path.join(work, "extract")
        os.makedirs(directory)
        order = {"resource": {"id": table, "format": "CSV", "datastore_active": True},
                 "directory": directory, "path": None,
                 "settings": dataclasses.asdict(extract.Settings(memory_limit=args.memory_limit)),
                 "datastore": {"url": args.datastore_read_url, "table": table,
                               "fields": [{"id": name, "type": kind} for name, kind in DATASTORE_FIELDS]}}
        seconds, peak = run_child(order)
        with open(os.path.join(directory, extract.META_FILE), encoding="utf-8") as stream:
            meta = json.load(stream)
        print(f"DataStore preview extract: {seconds:.1f} s, peak RSS {peak:.0f} MB; state {meta['state']},"
              f" {meta['rows_total']} rows counted, {meta['rows_kept']} kept")
    finally:
        with psycopg2.connect(args.datastore_write_url) as database, database.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


def write_csv(path: str, size_mb: int) -> int:
    """A CSV of about ``size_mb`` MB written by DuckDB; returns its size in bytes."""
    import duckdb

    rows = size_mb * 1_000_000 // 91  # bytes per row of this table
    municipalities = ["Montréal", "Québec", "Laval", "Gatineau", "Longueuil", "Sherbrooke", "Lévis",
                      "Saguenay", "Trois-Rivières", "Terrebonne", "Saint-Jean-sur-Richelieu", "Rimouski"]
    with duckdb.connect() as connection:
        connection.execute("SET threads = 2")
        connection.execute(f"""
            COPY (SELECT i AS id,
                         DATE '2020-01-01' + CAST(i % 1500 AS INTEGER) AS date,
                         list_element(?, CAST(1 + i % 12 AS INTEGER)) AS municipalite,
                         round((i % 997) * 1.25, 2) AS valeur,
                         round(45.0 + (i % 1000) / 400.0, 5) AS latitude,
                         round(-74.5 + (i % 777) / 200.0, 5) AS longitude,
                         'mesure ' || md5(CAST(i AS VARCHAR)) AS commentaire
                  FROM range({int(rows)}) AS t(i))
            TO '{path}' (HEADER, DELIMITER ',')""", [municipalities])
    return os.path.getsize(path)


def build_extract(storage: str, upload: str, memory_limit: str) -> dict:
    """Build the extract as the preview job does (child.py); wall time and the child's peak RSS (wait4)."""
    from ckanext.quebec.viz import extract

    directory = os.path.join(storage, "quebec_viz", RESOURCE_ID[:3], RESOURCE_ID)
    os.makedirs(directory)
    order = {"resource": {"id": RESOURCE_ID, "format": "CSV", "url": "big.csv", "url_type": "upload"},
             "directory": directory, "path": upload,
             "settings": dataclasses.asdict(extract.Settings(memory_limit=memory_limit))}
    elapsed, peak = run_child(order)
    with open(os.path.join(directory, extract.META_FILE), encoding="utf-8") as stream:
        meta = json.load(stream)
    return {"wall_seconds": elapsed, "peak_rss_mb": peak, "meta": meta}


def timed(call, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of ``call()``, in milliseconds (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def measure_requests(args: argparse.Namespace, url: str, storage: str, extract_folder: str) -> dict:
    os.environ["CKAN_SQLALCHEMY_URL"] = url
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(args.ckan_ini)
    config["ckan.plugins"] = PLUGINS
    config["ckan.storage_path"] = storage
    app = make_app(config)

    import ckan.plugins.toolkit as tk

    from ckanext.quebec.viz import storage as viz_storage

    with app._wsgi_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        context = lambda: {"user": site_user["name"], "ignore_auth": True}  # noqa: E731
        name = "bench-viz"
        try:
            tk.get_action("dataset_purge")(context(), {"id": name})
        except tk.ObjectNotFound:
            pass
        dataset = tk.get_action("package_create")(context(), {"name": name, "title": "Bench viz"})
        resource = tk.get_action("resource_create")(context(), {
            "package_id": dataset["id"], "url": "https://example.org/big.csv", "format": "CSV"})
        target = viz_storage.extract_directory(resource["id"])
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(extract_folder, target)
        viz_storage.clear_pending(resource["id"])
        view = tk.get_action("resource_view_create")(context(), {
            "resource_id": resource["id"], "view_type": "quebec_table", "title": "Table"})

    client = app._wsgi_app.test_client()
    rng = random.Random(args.seed)
    page_url = f"/dataset/{dataset['id']}/resource/{resource['id']}?view_id={view['id']}"

    def page():
        response = client.get(page_url)
        assert response.status_code == 200 and b"quebec-viz-settings" in response.data

    def rows(sort: str | None):
        def call():
            params = {"resource_id": resource["id"], "offset": rng.randrange(0, 9900), "limit": 100}
            if sort:
                params.update(sort=sort, order=rng.choice(["asc", "desc"]))
            response = client.get("/api/3/action/quebec_viz_rows", query_string=params)
            assert response.status_code == 200 and len(response.json["result"]["rows"]) == 100
        return call

    def filtered():
        response = client.get("/api/3/action/quebec_viz_rows", query_string={
            "resource_id": resource["id"], "q": rng.choice(["Laval", "2021-03", "mesure a"]),
            "limit": 100})
        assert response.status_code == 200

    return {
        "preview page (table view)": timed(page, args.repeat),
        "data endpoint, 100 rows": timed(rows(None), args.repeat),
        "data endpoint, 100 rows sorted": timed(rows("valeur"), args.repeat),
        "data endpoint, 100 rows filtered": timed(filtered, args.repeat),
    }


def main() -> None:
    args = parse_args()
    work = tempfile.mkdtemp(prefix="quebec-viz-bench-")
    if args.datastore_write_url:
        try:
            measure_datastore(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        storage = os.path.join(work, "storage")
        upload = os.path.join(storage, "resources", RESOURCE_ID[:3], RESOURCE_ID[3:6], RESOURCE_ID[6:])
        os.makedirs(os.path.dirname(upload))
        started = time.monotonic()
        size = write_csv(upload, args.size_mb)
        print(f"CSV written: {size / 1e6:.0f} MB in {time.monotonic() - started:.1f} s")

        result = build_extract(storage, upload, args.memory_limit)
        meta = result["meta"]
        print(f"preview extract: {result['wall_seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB;"
              f" state {meta['state']}, {meta['rows_total']} rows counted, {meta['rows_kept']} kept,"
              f" {(meta['geo'] or {}).get('features_kept')} map points")
        os.remove(upload)

        url = search_bench.ensure_database(args.database, args.ckan_ini)
        extract_folder = os.path.join(storage, "quebec_viz", RESOURCE_ID[:3], RESOURCE_ID)
        shutil.rmtree(os.path.join(extract_folder, ".spill"), ignore_errors=True)
        timings = measure_requests(args, url, storage, extract_folder)
        for label, (median, p95) in timings.items():
            print(f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms ({args.repeat} requests)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
