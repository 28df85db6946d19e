"""Benchmark of quebec_search beside Solr: package_search latency, rebuild throughput, index size.

Builds synthetic but realistic catalogues (bilingual titles and descriptions,
12 categories, ~150 organizations, 1-6 resources each, bounding boxes across
Québec) straight into CKAN's tables with bulk SQL, times the real
`ckan search-index rebuild` command, then times a fixed mix of package_search
calls through the action layer as an anonymous visitor (so permission labels
apply) and prints the first (cold) call, medians and 95th percentiles.

    .venv-2.12/bin/python bench/search.py --ckan-ini test.ini \\
        --database ckan_bench --sizes 1000 10000 100000

``--backend postgres solr solrcloud`` runs the same sizes, catalogue and
mix on each backend (quebec_search; one Solr 9 node; two SolrCloud nodes
with 2 shards x 2 replicas, bench/backends.py), one process per backend,
also giving the memory of each engine, then prints them side by side with
the ratios quebec_search / Solr (Markdown):

    nice -n 10 .venv-2.12/bin/python bench/search.py --sizes 1000 10000 \
        --plugins "spatial_metadata spatial_query" --backend postgres solr solrcloud

The database is emptied and filled for each size: never point it at a
portal's database. It is created if missing (the stack's PostgreSQL, as
scripts/portal runs it). Needs CKAN 2.12 (dataset extras as a JSONB column).
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any, Callable

import backends
from site_ini import site_ini

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_PORT = os.environ.get("PG_PORT", "5499")
CATEGORIES = [
    "agriculture-alimentation", "economie-entreprises", "education-recherche",
    "environnement-ressources-naturelles-energie", "gouvernement-finances",
    "infrastructures", "loi-justice-securite-publique", "politiques-sociales", "sante",
    "societe-culture", "tourisme-sports-loisirs", "transport",
]
SUBJECTS = [
    ("pistes cyclables", "bike paths"), ("zones inondables", "flood zones"),
    ("écoles primaires", "primary schools"), ("budget municipal", "municipal budget"),
    ("qualité de l'air", "air quality"), ("arbres publics", "public trees"),
    ("collisions routières", "road collisions"), ("bornes de recharge", "charging stations"),
    ("stationnements", "parking lots"), ("parcs et espaces verts", "parks and green spaces"),
    ("permis de construction", "building permits"), ("débits de circulation", "traffic counts"),
    ("patinoires extérieures", "outdoor rinks"), ("bibliothèques", "libraries"),
    ("ponts et viaducs", "bridges and overpasses"), ("données électorales", "election data"),
    ("hydrométrie", "hydrometry"), ("feux de forêt", "forest fires"),
    ("transport collectif", "public transit"), ("collecte des déchets", "waste collection"),
]
PLACES = ["Montréal", "Laval", "Québec", "Gatineau", "Sherbrooke", "Longueuil", "Lévis",
          "Trois-Rivières", "Saguenay", "Rimouski", "Rouyn-Noranda", "Gaspé", "Sept-Îles",
          "Repentigny", "Blainville", "Shawinigan", "Terrebonne", "Drummondville"]
FORMATS = ["CSV", "GeoJSON", "SHP", "PDF", "XLSX", "JSON", "KML", "WMS", "HTML"]
YEARS = list(range(2015, 2027))
QUEBEC_BOX = (-79.5, 45.0, -57.2, 62.5)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default=os.path.join(ROOT, "test.ini"))
    parser.add_argument("--database", default="ckan_bench")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=30, help="calls per query and size")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed calls of each query after its first (cold) one")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--plugins", default="quebec_search",
                        help="ckan.plugins for the run (add the spatial plugins for bbox)")
    parser.add_argument("--rebuild-workers", type=int, default=None,
                        help="ckanext.quebec.search.rebuild_workers for the rebuild"
                             " (default: the option's default, one per CPU)")
    parser.add_argument("--rebuild-only", action="store_true",
                        help="time the rebuild only, not the size on disk and the queries")
    parser.add_argument("--backend", nargs="+", choices=backends.BACKENDS, default=["postgres"],
                        help="search backends, each in a process of its own; more than one"
                             " prints a side-by-side table")
    parser.add_argument("--json", help="write this backend's figures to that file")
    parser.add_argument("--posting-lists", choices=["on", "off"], default="on",
                        help="quebec_search reads plain words from its posting lists (built"
                             " after the rebuild, or on --reuse when there is none), or not")
    parser.add_argument("--reuse", action="store_true",
                        help="time the queries on the catalogue and index an earlier run of"
                             " the same (single) size left in the database: no fill, no rebuild")
    return parser.parse_args()


# -- set-up ---------------------------------------------------------------------
def ensure_database(name: str, ini: str | None) -> str:
    """The benchmark's own database, migrated with ``ini`` (left empty without); returns its URL."""
    run_dir = os.path.join(ROOT, ".stack", "run", "pg")
    psql = ["psql", "-h", run_dir, "-p", PG_PORT, "-U", "postgres", "-qtAX"]
    if os.geteuid() == 0:
        psql = ["runuser", "-u", "postgres", "--"] + psql
    exists = subprocess.run(psql + ["-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if exists != "1":
        subprocess.run(psql + ["-c", f"CREATE DATABASE {name} OWNER ckan TEMPLATE template0"],
                       check=True)
    url = f"postgresql://ckan:ckan@127.0.0.1:{PG_PORT}/{name}"
    if ini is None:
        return url
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=url)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    for args in (["db", "upgrade"], ["db", "upgrade", "-p", "quebec_search"]):
        subprocess.run([ckan, "-c", ini, *args], env=env, check=True, capture_output=True)
    return url


def load_ckan(url: str):
    os.environ["CKAN_SQLALCHEMY_URL"] = url
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(ARGS.ckan_ini)
    config["ckan.plugins"] = PLUGINS
    config.update(BACKEND_CONFIG)
    return make_app(config)


# -- synthetic catalogue ------------------------------------------------------------
def fill_catalogue(size: int, rng: random.Random) -> None:
    """Empty CKAN's tables and write ``size`` datasets straight into them."""
    import sqlalchemy as sa
    from ckan import model

    # The previous size's searches leave CKAN's session in a transaction
    # that holds locks TRUNCATE would wait for.
    model.Session.remove()
    engine = model.ensure_engine()
    with engine.begin() as connection:
        # The index's count tables too: emptied row by row (by the document
        # table's TRUNCATE trigger) they would keep the pages of the previous
        # size's catalogue, counted in this size's index.
        connection.execute(sa.text(
            "TRUNCATE package, resource, member, package_tag, tag, \"group\","
            " quebec_search_document, quebec_search_segment, quebec_search_facet_count"
            " CASCADE"))
        organizations, categories, tags = _groups_and_tags()
        connection.execute(model.group_table.insert(), organizations + categories)
        connection.execute(model.tag_table.insert(), tags)
        for packages, resources, members, package_tags in _batches(
                size, rng, organizations, categories, tags):
            connection.execute(model.package_table.insert(), packages)
            connection.execute(model.resource_table.insert(), resources)
            connection.execute(model.member_table.insert(), members)
            connection.execute(model.package_tag_table.insert(), package_tags)
    # Planner statistics, as a live portal's tables have them: without them
    # package_show's queries in the rebuild that follows start on guesses
    # until autovacuum comes by.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("package", "resource", "member", "package_tag", "tag", '"group"'):
            connection.execute(sa.text(f"ANALYZE {table}"))


def reuse_catalogue(size: int, rng: random.Random) -> None:
    """Check that the database holds the catalogue of ``size``; draw what its fill drew.

    The query mix then draws the same organization as after a fill.
    """
    import sqlalchemy as sa
    from ckan import model

    with model.ensure_engine().connect() as connection:
        held = connection.execute(sa.text("SELECT count(*) FROM package")).scalar_one()
        indexed = connection.execute(sa.text(
            "SELECT count(*) FROM quebec_search_document")).scalar_one()
    if held != size or indexed != size:
        sys.exit(f"--reuse: the database holds {held:,} datasets and {indexed:,} documents,"
                 f" not {size:,}: run once without --reuse")
    for _ in _batches(size, rng, *_groups_and_tags()):
        pass


def _groups_and_tags() -> tuple[list[dict], list[dict], list[dict]]:
    now = dt.datetime(2026, 11, 1)
    organizations = [_group_row(f"organisation-{n:03d}", f"Organisme {n:03d}", True, now)
                     for n in range(150)]
    categories = [_group_row(name, name.replace("-", " ").capitalize(), False, now)
                  for name in CATEGORIES]
    tags = [{"id": str(uuid.uuid4()), "name": name}
            for pair in SUBJECTS for name in pair] + [
           {"id": str(uuid.uuid4()), "name": place} for place in PLACES]
    return organizations, categories, tags


def _batches(size: int, rng: random.Random, organizations: list[dict],
             categories: list[dict], tags: list[dict], batch: int = 2000):
    """The rows of ``size`` datasets, by batches: (packages, resources, members, tags)."""
    now = dt.datetime(2026, 11, 1)
    for start in range(0, size, batch):
        packages, resources, members, package_tags = [], [], [], []
        for n in range(start, min(size, start + batch)):
            package = _package_row(n, rng, organizations, now)
            packages.append(package)
            resources.extend(_resource_rows(package, rng))
            members.extend(_category_rows(package, rng, categories))
            for tag in rng.sample(tags, 3):
                package_tags.append({"id": str(uuid.uuid4()), "package_id": package["id"],
                                     "tag_id": tag["id"], "state": "active"})
        yield packages, resources, members, package_tags


def _group_row(name: str, title: str, is_organization: bool, now: dt.datetime) -> dict:
    return {"id": str(uuid.uuid4()), "name": name, "title": title,
            "type": "organization" if is_organization else "group",
            "description": title, "is_organization": is_organization,
            "approval_status": "approved", "state": "active", "created": now, "extras": {}}


def _package_row(n: int, rng: random.Random, organizations: list[dict],
                 now: dt.datetime) -> dict:
    subject_fr, subject_en = rng.choice(SUBJECTS)
    place = rng.choice(PLACES)
    year = rng.choice(YEARS)
    minx = rng.uniform(QUEBEC_BOX[0], QUEBEC_BOX[2] - 2)
    miny = rng.uniform(QUEBEC_BOX[1], QUEBEC_BOX[3] - 2)
    width, height = rng.uniform(0.05, 2), rng.uniform(0.05, 2)
    polygon = {"type": "Polygon", "coordinates": [[
        [minx, miny], [minx + width, miny], [minx + width, miny + height],
        [minx, miny + height], [minx, miny]]]}
    created = now - dt.timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86400))
    title_fr = f"{subject_fr.capitalize()} – {place} {year}"
    title_en = f"{subject_en.capitalize()} – {place} {year}"
    notes = (f"Jeu de données sur les {subject_fr} de {place} pour l'année {year}, "
             f"diffusé par la municipalité et mis à jour régulièrement.\n\n"
             f"Dataset of {subject_en} in {place} for {year}, published by the city "
             f"and updated regularly.")
    return {
        "id": str(uuid.uuid4()), "name": f"jeu-{n:06d}", "title": title_fr,
        "notes": notes, "license_id": rng.choice(["cc-by", "cc-by", "ogl-canada-2.0"]),
        "type": "dataset", "owner_org": rng.choice(organizations)["id"],
        "metadata_created": created,
        "metadata_modified": created + dt.timedelta(days=rng.randint(0, 300)),
        "private": rng.random() < 0.05, "state": "active",
        "author": f"Service des données de {place}",
        "author_email": "donnees@example.qc.ca",
        "extras": {"title_en": title_en, "spatial": json.dumps(polygon),
                   "update_frequency": rng.choice(["annual", "monthly", "daily", "irregular"])},
    }


def _resource_rows(package: dict, rng: random.Random) -> list[dict]:
    rows = []
    for position in range(rng.randint(1, 6)):
        fmt = rng.choice(FORMATS)
        rows.append({
            "id": str(uuid.uuid4()), "package_id": package["id"], "position": position,
            "url": f"https://donnees.example.qc.ca/{package['name']}/{position}.{fmt.lower()}",
            "format": fmt, "name": f"{package['title']} ({fmt})",
            "description": f"Fichier {fmt} / {fmt} file", "state": "active",
            "created": package["metadata_created"],
            "metadata_modified": package["metadata_modified"], "extras": {},
        })
    return rows


def _category_rows(package: dict, rng: random.Random, categories: list[dict]) -> list[dict]:
    return [{"id": str(uuid.uuid4()), "table_name": "package", "table_id": package["id"],
             "capacity": "public", "group_id": category["id"], "state": "active"}
            for category in rng.sample(categories, rng.choice([1, 1, 2]))]


# -- measurements ---------------------------------------------------------------------
def rebuild_index(url: str) -> tuple[float, float]:
    """(seconds, CPU seconds) of the real `ckan search-index rebuild` command.

    The CPU time is the command's and its workers' (user + system), without
    PostgreSQL's share: a figure that other work on the machine barely moves.
    """
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=url)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    options: dict[str, object] = dict(BACKEND_CONFIG)
    if ARGS.rebuild_workers is not None:
        options["ckanext.quebec.search.rebuild_workers"] = ARGS.rebuild_workers
    with site_ini(ARGS.ckan_ini, PLUGINS, options) as ini:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([ckan, "-c", ini, "search-index", "rebuild", "--quiet"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return seconds, cpu


def sizes_on_disk() -> tuple[int, int]:
    """(bytes of the index table with its indexes, bytes of the datasets' JSON)."""
    import sqlalchemy as sa
    from ckan import model

    with model.ensure_engine().connect() as connection:
        # The documents with their indexes (in each partition), the
        # maintained facet counts and the numbered facet values.
        index = connection.execute(sa.text(
            "SELECT sum(pg_total_relation_size(relid)) FROM ("
            " SELECT relid FROM pg_partition_tree('quebec_search_document')"
            " UNION ALL SELECT unnest(ARRAY['quebec_search_segment', 'quebec_search_facet_count',"
            " 'quebec_search_counted_field', 'quebec_search_facet_value']::regclass[])"
            ") AS parts")).scalar_one()
        # The datasets as package_show gives them, which the index stores.
        data = connection.execute(sa.text(
            "SELECT coalesce(sum(octet_length(stored ->> 'validated_data_dict')), 0)"
            " FROM quebec_search_document")).scalar_one()
    return int(index), int(data)


# The search page's facets: CKAN's search.facets and quebec_schema's update frequency.
FACETS = ["organization", "groups", "tags", "res_format", "license_id", "extras_update_frequency"]
# quebec_search keeps the counts of the facets a portal's plugins declare (IFacets); the
# benchmark runs without quebec_schema, which declares the update frequency: counted as
# the portal counts it (without it the home page reads every document instead).
POSTGRES_CONFIG = {"ckanext.quebec.search.counted_fields": " ".join(["default", *FACETS])}


def _varied_words(rng: random.Random, language: int) -> Callable[[], str]:
    """A subject and a place of the catalogue, another pair at each call (``language`` 0: fr, 1: en).

    The same query asked again is answered by Solr's result and document
    caches; new words at each call time the search itself on both engines.
    """
    pairs = [(subject[language], place) for subject in SUBJECTS for place in PLACES]
    rng.shuffle(pairs)
    calls = itertools.cycle(pairs)
    return lambda: " ".join(next(calls))


def query_mix(rng: random.Random) -> dict[str, Callable[[], dict[str, Any]]]:
    facets = json.dumps(FACETS)
    organization = f"organisation-{rng.randint(0, 149):03d}"
    french, english = _varied_words(rng, 0), _varied_words(rng, 1)
    return {
        # as the dataset search page asks
        "home: *:* with 6 facets": lambda: {"q": "", "facet.field": facets, "rows": 20,
                                            "fq": "+dataset_type:dataset"},
        "French, two words + facets": lambda: {"q": "pistes cyclables", "facet.field": facets,
                                               "rows": 20},
        "English, two words + facets": lambda: {"q": "bike paths", "facet.field": facets,
                                                "rows": 20},
        "French, new words each call + facets": lambda: {"q": french(), "facet.field": facets,
                                                         "rows": 20},
        "English, new words each call + facets": lambda: {"q": english(), "facet.field": facets,
                                                          "rows": 20},
        "fq organization + format": lambda: {
            "fq": f'organization:"{organization}" res_format:"CSV"', "rows": 20},
        "bbox (ext_bbox, Montréal area)": lambda: {
            "q": "", "extras": {"ext_bbox": "-74.0,45.3,-73.3,45.8"}, "rows": 20},
        "deep page (start=5000)": lambda: {"q": "", "rows": 20, "start": 5000},
    }


def time_queries(repeat: int, warmup: int, rng: random.Random
                 ) -> dict[str, tuple[float, float, float, int]]:
    """(first call, median, p95 in ms, hits) per query, as an anonymous visitor.

    The first call is timed apart (cold), then ``warmup`` calls are not
    timed. The first text query a process runs is slower over its first
    calls: at 100,000 datasets a median of 45-50 ms over its first 15 calls,
    40-43 ms over the next 15, whichever of French or English runs first.
    The cause was not isolated (new pooled connections and PostgreSQL
    backends that have not yet read the index are the likely ones). Without
    the warm-up it weighed on the median of the mix's first text query.
    """
    import ckan.plugins.toolkit as tk

    search = tk.get_action("package_search")
    results = {}
    for label, make in query_mix(rng).items():
        timings, count = [], 0
        for call in range(repeat + 1 + warmup):
            started = time.perf_counter()
            try:
                # Not ignore_auth: the anonymous user's permission labels filter.
                count = search({"user": "", "auth_user_obj": None}, make())["count"]
            except tk.ValidationError as error:
                count = -1
                print(f"   {label}: {error.error_dict}", file=sys.stderr)
            if call == 0 or call > warmup:
                timings.append((time.perf_counter() - started) * 1000)
        first, timings = timings[0], sorted(timings[1:])
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        results[label] = (first, statistics.median(timings), p95, count)
    return results


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # figures show as they come
    url = ensure_database(ARGS.database, ARGS.ckan_ini)
    app = load_ckan(url)
    figures: dict[str, dict] = {}
    with app._wsgi_app.test_request_context():
        for size in ARGS.sizes:
            figures[str(size)] = measure_size(size, url)
    if ARGS.json:
        with open(ARGS.json, "w", encoding="utf-8") as out:
            json.dump(figures, out)


def measure_size(size: int, url: str) -> dict[str, Any]:
    """Fill (or reuse), rebuild and time the mix at ``size``; the figures of the side-by-side table."""
    figures: dict[str, Any] = {}
    rng = random.Random(ARGS.seed + size)
    if ARGS.reuse:
        reuse_catalogue(size, rng)
        print(f"\n== {size:,} datasets (the catalogue and index of an earlier run)")
    else:
        started = time.perf_counter()
        fill_catalogue(size, rng)
        print(f"\n== {size:,} datasets on {BACKEND} (written in {time.perf_counter() - started:.1f} s)")
        if SOLR:
            SOLR.clear()
        load = os.getloadavg()[0]
        seconds, cpu = rebuild_index(url)
        figures["rebuild"] = size / seconds
        print(f"search-index rebuild: {seconds:.1f} s, {size / seconds:,.0f} datasets/s"
              f" (load {load:.1f} before, {os.getloadavg()[0]:.1f} after; command CPU"
              f" {cpu:.1f} s, {1000 * cpu / size:.2f} s per 1,000 datasets)")
    if ARGS.rebuild_only:
        return figures
    if BACKEND == "postgres" and ARGS.posting_lists == "on":
        from ckanext.quebec.search import postings_build

        started = time.perf_counter()
        built = postings_build.build_if_none()  # the rebuild built them, unless --reuse
        if built is not None:
            figures["postings build s"] = time.perf_counter() - started
            print(f"posting lists built in {figures['postings build s']:.1f} s")
    if SOLR:
        figures["index MB"] = SOLR.index_bytes() / 1e6
        print(f"index on disk: {figures['index MB']:.1f} MB"
              f"{' (2 replicas of each shard)' if BACKEND == 'solrcloud' else ''}")
    else:
        index_bytes, data_bytes = sizes_on_disk()
        figures["index MB"] = index_bytes / 1e6
        print(f"index on disk: {index_bytes / 1e6:.1f} MB; datasets' JSON: "
              f"{data_bytes / 1e6:.1f} MB; ratio {index_bytes / max(data_bytes, 1):.2f}")
    print(f"{'query':<38} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'hits':>8}")
    caches = SOLR.cache_counts() if SOLR else {}
    figures["queries"] = time_queries(ARGS.repeat, ARGS.warmup, rng)
    for label, (first, median, p95, count) in figures["queries"].items():
        print(f"{label:<38} {first:>9.1f} {median:>10.1f} {p95:>8.1f} {count:>8}")
    if SOLR:
        # Every call of the mix but the first repeats a query: Solr's caches answer part of it.
        after = SOLR.cache_counts()
        print("Solr's caches during the queries (hits / lookups): " + ", ".join(
            f"{name} {after[name][0] - caches.get(name, (0, 0))[0]:,} /"
            f" {after[name][1] - caches.get(name, (0, 0))[1]:,}" for name in sorted(after)))
    resident, private = backends.postgres_rss(ARGS.database)
    figures["PostgreSQL backends MB"] = (resident / 1e6, private / 1e6)
    figures["JVM MB"] = SOLR.jvm_rss() / 1e6 if SOLR else 0.0
    print(f"memory: PostgreSQL backends of the database {resident / 1e6:.0f} MB resident"
          f" ({private / 1e6:.0f} MB private); JVM {figures['JVM MB']:.0f} MB resident")
    return figures


def side_by_side() -> None:
    """Each backend in a process of its own (its plugins, its Solr), then one table."""
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        for backend in ARGS.backend:
            out = os.path.join(directory, f"{backend}.json")
            arguments = [argument for argument in sys.argv[1:]]
            at = arguments.index("--backend")
            arguments[at + 1:at + 1 + len(ARGS.backend)] = [backend]
            subprocess.run([sys.executable, os.path.abspath(__file__), *arguments, "--json", out],
                           check=True)
            with open(out, encoding="utf-8") as figures:
                results[backend] = json.load(figures)
    print_table(results)


def print_table(results: dict[str, dict]) -> None:
    """Markdown: median / p95 ms per backend, and quebec_search's median over Solr's."""
    names = list(results)
    solr = next((name for name in ("solr", "solrcloud") if name in results), None)
    ratio = "postgres" in results and solr
    header = ["size", "query (median / p95 ms)", *names] + ([f"postgres / {solr}"] if ratio else [])
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for size in map(str, ARGS.sizes):
        rows = [(label, [results[name][size]["queries"][label][1:3] for name in names])
                for label in results[names[0]][size]["queries"]]
        for label, cells in rows:
            line = [f"{int(size):,}", label, *(f"{median:.1f} / {p95:.1f}" for median, p95 in cells)]
            if ratio:
                line.append(f"{cells[names.index('postgres')][0] / cells[names.index(solr)][0]:.2f}")
            print("| " + " | ".join(line) + " |")
        extra = [("rebuild (datasets/s)", "rebuild", "{:,.0f}"), ("index on disk (MB)", "index MB", "{:.1f}"),
                 ("JVM resident (MB)", "JVM MB", "{:.0f}")]
        for title, key, form in extra:
            values = [results[name][size].get(key) or None for name in names]  # no JVM: none
            line = [f"{int(size):,}", title, *(form.format(v) if v is not None else "–" for v in values)]
            if ratio and None not in values and values[names.index(solr)]:
                line.append(f"{values[names.index('postgres')] / values[names.index(solr)]:.2f}")
            elif ratio:
                line.append("")
            print("| " + " | ".join(line) + " |")
        pg = [results[name][size]["PostgreSQL backends MB"] for name in names]
        print("| " + " | ".join([f"{int(size):,}", "PostgreSQL backends resident (private) MB",
                                 *(f"{r:.0f} ({p:.0f})" for r, p in pg)] + ([""] if ratio else [])) + " |")


def run_backend() -> None:
    """One backend in this process: Solr started for the run and stopped after it."""
    global SOLR
    if BACKEND != "postgres":
        SOLR = backends.Solr(BACKEND)
        SOLR.start()
        BACKEND_CONFIG.update(SOLR.config())
    else:
        BACKEND_CONFIG.update(POSTGRES_CONFIG)
        BACKEND_CONFIG["ckanext.quebec.search.posting_lists"] = (
            "true" if ARGS.posting_lists == "on" else "false")
    try:
        main()
    finally:
        if SOLR:
            SOLR.stop()


if __name__ == "__main__":
    ARGS = parse_args()
    BACKEND = ARGS.backend[0]
    PLUGINS = backends.plugins_for(BACKEND, ARGS.plugins)
    BACKEND_CONFIG: dict[str, str] = {}
    SOLR: backends.Solr | None = None
    if len(ARGS.backend) > 1:
        side_by_side()
    else:
        run_backend()
