"""Benchmark of quebec_dcat: full-catalogue serialization and catalogue pages served by the app.

Fills its own database with a synthetic catalogue (bench/search.py's bulk SQL:
bilingual titles, categories, 1-6 resources, bounding boxes), runs the real
`ckan search-index rebuild`, then measures:

- the whole public catalogue written by ``feed.export`` (what
  ``ckan quebec dcat export`` runs), page by page, in Turtle: datasets/s and
  the growth of the process's peak memory during the export;
- ``GET /catalog.ttl?page=N`` (100 datasets a page) through the CKAN app as
  an anonymous visitor: median and 95th percentile;
- optionally (--validate) every page of the catalogue against the DCAT-AP
  3.0.0 SHACL shapes, each page validated as a self-contained catalogue
  (violations counted by shape, which must be 0; --warnings adds the
  recommended shapes; --validate-only skips the timings).

The load average is printed next to the timings: the machine may be shared.

    .venv-2.12/bin/python bench/dcat.py --ckan-ini test.ini --database h8_bench --sizes 10000

The database is emptied and filled: never point it at a portal's database.
It is created if missing; --drop removes it at the end. Needs CKAN 2.12.
"""
from __future__ import annotations

import argparse
import collections
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, ROOT)

import search as search_bench  # noqa: E402  (bench/search.py: synthetic catalogue)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default=os.path.join(ROOT, "test.ini"))
    parser.add_argument("--database", default="dcat_bench")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page measure")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--plugins", default="quebec_search dcat quebec_dcat")
    parser.add_argument("--validate", action="store_true",
                        help="validate every exported page with pyshacl (slow)")
    parser.add_argument("--warnings", action="store_true",
                        help="with --validate, the recommended shapes too (slower)")
    parser.add_argument("--validate-only", action="store_true",
                        help="with --validate, skip the export and page timings")
    parser.add_argument("--rebuild-workers", type=int, default=None,
                        help="as bench/search.py: ckanext.quebec.search.rebuild_workers")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the catalogue already filled and indexed in the database"
                             " (one size), e.g. to compare two versions of the code")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    return parser.parse_args()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_export(size: int) -> tuple[int, float, float, float]:
    """(datasets written, seconds, MB of peak-memory growth, CPU seconds) for the whole catalogue in Turtle."""
    from ckanext.quebec.dcat import feed

    class Discard(io.RawIOBase):
        written = 0

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            self.written += len(data)
            return len(data)

    before = _max_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    count = feed.export(Discard(), "ttl", page_size=100)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return count, seconds, _max_rss_mb() - before, cpu


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def time_pages(app, count: int, repeat: int, rng: random.Random) -> tuple[float, float, float]:
    """(first, median, p95) milliseconds of GET /catalog.ttl?page=N, 100 datasets a page."""
    client = app.test_client()
    last = max(1, count // 100)
    timings = []
    for _ in range(repeat + 1):
        page = rng.randint(1, last)
        started = time.perf_counter()
        response = client.get(f"/catalog.ttl?page={page}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    first, rest = timings[0], sorted(timings[1:])
    return first, statistics.median(rest), rest[int(len(rest) * 0.95) - 1]


def validate_pages(warnings: bool) -> tuple[int, collections.Counter, collections.Counter, float]:
    """Every page of the exported catalogue against the DCAT-AP 3.0.0 shapes, one page at a time.

    A page is what ``feed.export`` serializes for it (the catalogue's
    description, then the page's datasets and their catalogue links), so each
    page is validated as a self-contained catalogue. Returns (pages, results
    of the mandatory shapes by shape, of the recommended ones if ``warnings``,
    seconds).
    """
    sys.path.insert(0, os.path.join(ROOT, "tests", "dcat"))
    import shacl  # tests/dcat/shacl.py
    from rdflib import Graph, URIRef

    from ckanext.dcat.profiles import DCAT
    from ckanext.dcat.utils import catalog_uri

    from ckanext.quebec.dcat import feed, profiles

    started = time.perf_counter()
    pages = 0
    mandatory: collections.Counter = collections.Counter()
    recommended: collections.Counter = collections.Counter()
    catalog = feed.QuebecRDFSerializer()
    catalog.graph_from_catalog({})
    catalog_ref = URIRef(catalog_uri())
    partners: dict = {}
    for datasets in feed._pages({"user": ""}, 100, None, None):
        serializer = feed.QuebecRDFSerializer()
        with profiles.partners_of(datasets, partners), profiles.related_of(datasets):
            for dataset_dict in datasets:
                serializer.g.add((catalog_ref, DCAT.dataset,
                                  serializer.graph_from_dataset(dataset_dict)))
        graph = Graph()
        graph += catalog.g
        graph += serializer.g
        mandatory += shacl.count_by_shape(graph)
        if warnings:
            recommended += shacl.count_by_shape(graph, recommended=True)
        pages += 1
        if pages % 10 == 0:
            print(f"  SHACL: {pages} pages validated, "
                  f"{sum(v for k, v in mandatory.items() if k.startswith('Violation'))} violations")
    return pages, mandatory, recommended, time.perf_counter() - started


def drop_database(name: str) -> None:
    run_dir = os.path.join(ROOT, ".stack", "run", "pg")
    psql = ["psql", "-h", run_dir, "-p", search_bench.PG_PORT, "-U", "postgres", "-qtAX"]
    if os.geteuid() == 0:
        psql = ["runuser", "-u", "postgres", "--"] + psql
    subprocess.run(psql + ["-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    search_bench.ARGS = ARGS
    url = search_bench.ensure_database(ARGS.database, ARGS.ckan_ini)
    app = search_bench.load_ckan(url)
    try:
        with app._wsgi_app.test_request_context():
            for size in ARGS.sizes:
                rng = random.Random(ARGS.seed + size)
                if ARGS.reuse:
                    print(f"\n== the catalogue already in {ARGS.database} (--reuse)")
                else:
                    started = time.perf_counter()
                    search_bench.fill_catalogue(size, rng)
                    print(f"\n== {size:,} datasets "
                          f"(written in {time.perf_counter() - started:.1f} s)")
                    seconds = search_bench.rebuild_index(url)
                    if isinstance(seconds, tuple):  # (seconds, CPU seconds) in newer versions
                        seconds = seconds[0]
                    print(f"search-index rebuild: {seconds:.1f} s")
                if not ARGS.validate_only:
                    print(f"load average before: {_load()}")
                    count, seconds, memory, cpu = time_export(size)
                    print(f"full catalogue export (Turtle, pages of 100): {count:,} public "
                          f"datasets in {seconds:.1f} s = {count / seconds:,.0f} datasets/s "
                          f"({count / cpu:,.0f} datasets per CPU second); "
                          f"peak memory growth {memory:.0f} MB")
                    first, median, p95 = time_pages(app._wsgi_app, count, ARGS.repeat, rng)
                    print(f"GET /catalog.ttl?page=N (100 datasets): first {first:.0f} ms, "
                          f"median {median:.0f} ms, p95 {p95:.0f} ms")
                    print(f"load average after: {_load()}")
                if ARGS.validate:
                    pages, mandatory, recommended, seconds = validate_pages(ARGS.warnings)
                    violations = sum(n for key, n in mandatory.items()
                                     if key.startswith("Violation"))
                    print(f"SHACL (shapes.ttl + range.ttl), {pages} pages validated one by one "
                          f"in {seconds:.0f} s: {violations} violations, "
                          f"{sum(mandatory.values()) - violations} other results")
                    for key, n in sorted(mandatory.items()):
                        print(f"  {n:6d}  {key}")
                    if ARGS.warnings:
                        print(f"recommended shapes (shapes_recommended.ttl): "
                              f"{sum(recommended.values())} warnings")
                        for key, n in sorted(recommended.items()):
                            print(f"  {n:6d}  {key}")
    finally:
        if ARGS.drop:
            from ckan import model

            model.Session.remove()
            model.ensure_engine().dispose()
            drop_database(ARGS.database)
            print(f"database {ARGS.database} dropped")


if __name__ == "__main__":
    ARGS = parse_args()
    main()
