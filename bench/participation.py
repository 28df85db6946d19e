"""Benchmark of quebec_participation: the suggestion list with many suggestions and votes, and a vote.

Empties the database named by CKAN_SQLALCHEMY_URL (give it a database of its
own), writes SUGGESTIONS suggestions and VOTES votes straight into the tables
(the actions would take an hour for 200,000 votes; what is timed is the
reading), then times through the CKAN app: the ``quebec_suggestion_list``
action ranked by votes and by activity, filtered, and the ``/suggestions``
page (first call, median, 95th percentile), one vote and its withdrawal, and
counts the SQL statements of one page with the first size and with ten times
fewer suggestions (it must not grow with them).

    CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:5499/ckan_h_participation_bench \\
        .venv-2.12/bin/python bench/participation.py --ckan-ini test.ini
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from site_ini import site_ini

PLUGINS = "quebec_search quebec_participation"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--suggestions", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=21)
    return parser.parse_args()


def fill(suggestions: int, votes: int) -> None:
    """Suggestions spread over categories, statuses and dates; votes by synthetic accounts, once each."""
    import sqlalchemy as sa
    from ckan import model
    from ckanext.quebec.schema import vocabularies

    categories = [entry["value"] for entry in vocabularies.get("categories")]
    statuses = [entry["value"] for entry in vocabularies.get("suggestion_statuses")]
    voters = max(1, votes // max(1, suggestions // 5))
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO quebec_participation_suggestion (id, title, description, category, territories, "
            "reason, user_id, status, created, last_activity) "
            "SELECT 's-' || n, jsonb_build_object('fr', 'Suggestion ' || n), "
            "jsonb_build_object('fr', 'Des données ' || n), (:categories)[1 + n % :ncat], ARRAY['quebec'], "
            "'other', 'user-' || (n % 500), (:statuses)[1 + n % :nstat], "
            "now() - n * interval '1 minute', now() - (n % 997) * interval '1 minute' "
            "FROM generate_series(1, :count) n"),
            {"categories": categories, "ncat": len(categories), "statuses": statuses,
             "nstat": len(statuses), "count": suggestions})
        connection.execute(sa.text(
            "INSERT INTO quebec_participation_status (suggestion_id, status, user_id) "
            "SELECT id, 'proposed', user_id FROM quebec_participation_suggestion"))
        # each voter votes for a run of suggestions, so counts differ from one suggestion to the next
        connection.execute(sa.text(
            "INSERT INTO quebec_participation_vote (suggestion_id, user_id) "
            "SELECT 's-' || (1 + (v * 7 + k * (1 + v % 13)) % :count), 'voter-' || v "
            "FROM generate_series(1, :voters) v, generate_series(1, :per_voter) k "
            "ON CONFLICT DO NOTHING"),
            {"count": suggestions, "voters": voters, "per_voter": votes // voters})
        connection.execute(sa.text(
            "UPDATE quebec_participation_suggestion s SET vote_count = "
            "(SELECT count(*) FROM quebec_participation_vote v WHERE v.suggestion_id = s.id)"))
        connection.execute(sa.text("ANALYZE"))


def timed(call, repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    first, rest = times[0], sorted(times[1:])
    return first, statistics.median(rest), rest[max(0, int(len(rest) * 0.95) - 1)]


def count_statements(client, path: str) -> int:
    import sqlalchemy as sa
    from ckan import model

    statements = []

    def record(*args):
        statements.append(args[2])

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)
    return len(statements)


def _rebuild(ckan_ini: str) -> None:
    import sqlalchemy as sa
    from ckan import model

    model.repo.rebuild_db()
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    # `ckan db upgrade -p` needs the plugin enabled in the file it reads
    with site_ini(ckan_ini, PLUGINS) as ini:
        for plugin in ("quebec_search", "quebec_participation"):
            subprocess.run([ckan, "-c", ini, "db", "upgrade", "-p", plugin], check=True, capture_output=True)
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM quebec_search_document"))


def _measure(client, call, sizes: tuple[int, int], args) -> None:
    from ckan.tests import factories

    print(f"{'call':44} {'first ms':>9} {'median ms':>10} {'p95 ms':>8}")
    for label, data in (("list by votes", {"sort": "votes"}), ("list by activity", {"sort": "activity"}),
                        ("list, category + status", {"category": "transport", "status": "proposed"}),
                        ("list, words", {"q": "Suggestion 12"})):
        first, median, p95 = timed(lambda: call("quebec_suggestion_list", None, **data), args.repeat)
        print(f"{label:44} {first:9.1f} {median:10.1f} {p95:8.1f}")
    first, median, p95 = timed(lambda: client.get("/suggestions"), args.repeat)
    print(f"{'page /suggestions':44} {first:9.1f} {median:10.1f} {p95:8.1f}")
    user = factories.User()["name"]
    vote_times = []
    for number in range(1, args.repeat + 1):
        start = time.perf_counter()
        call("quebec_suggestion_vote", user, id=f"s-{number}")
        vote_times.append((time.perf_counter() - start) * 1000)
    print(f"{'vote (action)':44} {vote_times[0]:9.1f} {statistics.median(vote_times[1:]):10.1f}")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for number in range(100, 110):
            call("quebec_suggestion_vote", user, id=f"s-{number}")
        client.get("/suggestions")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"SQL statements of /suggestions with {sizes[0]} suggestions: {count_statements(client, '/suggestions')}")


def main() -> None:
    args = parse_args()
    if not os.environ.get("CKAN_SQLALCHEMY_URL"):
        sys.exit("Set CKAN_SQLALCHEMY_URL to a database the benchmark may empty.")
    import sqlalchemy as sa
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.plugins import toolkit as tk

    config = load_config(args.ckan_ini)
    config.update({"ckan.plugins": PLUGINS, "ckan.locale_default": "fr",
                   "ckanext.quebec.participation.rate_limit": "0",
                   "ckanext.quebec.participation.notify": "false"})
    app = make_app(config)
    client = app._wsgi_app.test_client()

    def call(action: str, user, **data):
        return tk.get_action(action)({"user": user or ""}, data)

    with app._wsgi_app.test_request_context():
        _rebuild(args.ckan_ini)
        start = time.perf_counter()
        fill(args.suggestions, args.votes)
        with model.ensure_engine().connect() as connection:
            votes = connection.execute(sa.text("SELECT count(*) FROM quebec_participation_vote")).scalar()
        print(f"wrote {args.suggestions} suggestions and {votes} votes in {time.perf_counter() - start:.1f} s")
        _measure(client, call, (args.suggestions, args.suggestions // 10), args)
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text(
                "DELETE FROM quebec_participation_suggestion WHERE id NOT IN (SELECT id FROM "
                "quebec_participation_suggestion ORDER BY id LIMIT :keep)"), {"keep": args.suggestions // 10})
        print(f"SQL statements of /suggestions with {args.suggestions // 10} suggestions: "
              f"{count_statements(client, '/suggestions')}")


if __name__ == "__main__":
    main()
