"""Benchmark of quebec_partners' pages: the partner directory and the statistics page with many partners.

Empties the database named by CKAN_SQLALCHEMY_URL (give it a database of its
own), creates PARTNERS organizations of every type (ministries under one
umbrella) and DATASETS datasets spread over them through the action API,
then requests ``/partenaires`` and ``/partenaires/statistiques`` through the
CKAN app as an anonymous visitor: first call, median and 95th percentile,
and the number of SQL statements one directory request runs.

    CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:5499/h5_2_12 \\
        .venv-2.12/bin/python bench/partners.py --ckan-ini test.ini --partners 150 --datasets 450
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

PLUGINS = "quebec_search scheming_organizations quebec_schema quebec_partners"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--partners", type=int, default=150)
    parser.add_argument("--datasets", type=int, default=450)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the catalogue of a previous run")
    return parser.parse_args()


def fill(partners: int, datasets: int) -> None:
    from ckan.plugins import toolkit as tk
    from ckanext.quebec.schema import vocabularies

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def call(action: str, **data):
        return tk.get_action(action)({"user": site_user, "ignore_auth": True}, data)

    types = [entry["value"] for entry in vocabularies.get("partner_types")]
    call("organization_create", name="gouvernement-du-quebec",
         title_translated={"fr": "Gouvernement du Québec", "en": "Government of Québec"})
    names = []
    for index in range(partners - 1):
        partner_type = types[index % len(types)]
        name = f"partenaire-{index:03d}"
        call("organization_create", name=name, partner_type=partner_type,
             organisation_principale="gouvernement-du-quebec" if partner_type in ("ministere", "organisme") else None,
             region=f"{index % 17 + 1:02d}", date_joined=f"{2016 + index % 10}-04-05",
             title_translated={"fr": f"Partenaire {index}", "en": f"Partner {index}"})
        names.append(name)
    for index in range(datasets):
        call("package_create", name=f"jeu-{index:05d}", title=f"Jeu {index}",
             owner_org=names[index % len(names)])


def timed(client, path: str, repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    first, rest = times[0], sorted(times[1:])
    return first, statistics.median(rest), rest[max(0, int(len(rest) * 0.95) - 1)]


def count_statements(client, path: str) -> int:
    import sqlalchemy as sa
    from ckan import model

    statements = []
    engine = model.meta.engine

    def record(*args):
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def main() -> None:
    args = parse_args()
    if not os.environ.get("CKAN_SQLALCHEMY_URL"):
        sys.exit("Set CKAN_SQLALCHEMY_URL to a database the benchmark may empty.")
    import sqlalchemy as sa
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan import model

    config = load_config(args.ckan_ini)
    config["ckan.plugins"] = PLUGINS
    config["ckan.locale_default"] = "fr"
    app = make_app(config)
    if args.reuse:
        print("reusing the catalogue of a previous run")
    else:
        with app._wsgi_app.test_request_context():
            model.repo.rebuild_db()
            ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
            subprocess.run([ckan, "-c", args.ckan_ini, "db", "upgrade", "-p", "quebec_search"],
                           check=True, capture_output=True)
            with model.ensure_engine().begin() as connection:
                connection.execute(sa.text("DELETE FROM quebec_search_document"))
            start = time.perf_counter()
            fill(args.partners, args.datasets)
            print(f"created {args.partners} partners and {args.datasets} datasets "
                  f"in {time.perf_counter() - start:.1f} s")
    client = app._wsgi_app.test_client()
    print(f"{'page':32} {'first ms':>9} {'median ms':>10} {'p95 ms':>8}")
    for path in ("/partenaires", "/partenaires?type=municipalite&q=partenaire",
                 "/partenaires/statistiques"):
        first, median, p95 = timed(client, path, args.repeat)
        print(f"{path:32} {first:9.1f} {median:10.1f} {p95:8.1f}")
    print(f"SQL statements in one /partenaires request: {count_statements(client, '/partenaires')}")


if __name__ == "__main__":
    main()
