"""Project fixtures. CKAN's own pytest plugin (fixtures clean_db, app, ...)
is registered by CKAN itself."""
from __future__ import annotations

import graphlib
import os

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import close_all_sessions

from ckan import model, plugins
from ckan.tests import factories

from tests import setup_speedups, versions
from tests.solr import fixtures as solr_fixtures
from tests.solr.fixtures import _session_on_solr, solr_node, solr_url  # noqa: F401  (fixtures)

# QUEBEC_TEST_SPEEDUPS=0 runs the tests on the unpatched libraries.
if os.environ.get("QUEBEC_TEST_SPEEDUPS", "1") != "0":
    setup_speedups.install()

# Plugins of the suite whose Alembic migrations create tables. The search
# index table is always there (a clean database means an empty index, with or
# without the plugin); the others are migrated when their plugin is loaded.
MIGRATED_PLUGINS = ("quebec_search", "quebec_quality", "quebec_partners", "harvest", "quebec_harvest",
                    "quebec_participation", "quebec_guides", "quebec_reuses")
ALWAYS_MIGRATED = ("quebec_search",)

# Plugins migrated to their head in this session's database.
_migrated: set[str] = set()
# The tables to empty, each after the tables whose rows refer to its rows,
# computed for one set of table names.
_emptying_order: tuple[frozenset[str], list[str]] = (frozenset(), [])

# The tables of the current schema with the tables they refer to; those of
# extensions (PostGIS's spatial_ref_sys) are the extension's data.
_TABLES = sa.text("""
    SELECT c.relname, array_remove(array_agg(DISTINCT r.relname), NULL)
    FROM pg_class c
    LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f'
    LEFT JOIN pg_class r ON r.oid = k.confrelid AND r.relnamespace = c.relnamespace
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    GROUP BY c.relname
""")
_TABLE_NAMES = sa.text("""
    SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('r', 'p') AND NOT c.relispartition
""")


def _is_alembic_version(table: str) -> bool:
    # CKAN's and each plugin's (<plugin>_alembic_version): emptied, the next
    # migration would start over from nothing.
    return table == "alembic_version" or table.endswith("_alembic_version")


def _tables(connection: sa.engine.Connection) -> set[str]:
    return set(connection.execute(_TABLE_NAMES).scalars())


def _order_for_emptying(connection: sa.engine.Connection, names: set[str]) -> list[str]:
    """The tables to empty (all but the Alembic versions), those that refer to others first."""
    global _emptying_order
    if _emptying_order[0] != names:
        references = {table: set(refers_to) - {table}
                      for table, refers_to in connection.execute(_TABLES)
                      if not _is_alembic_version(table)}
        # static_order() gives the referred-to tables first.
        order = list(graphlib.TopologicalSorter(references).static_order())[::-1]
        _emptying_order = (frozenset(names), [table for table in order if table in references])
    return _emptying_order[1]


def _empty_tables(connection: sa.engine.Connection, tables: list[str]) -> None:
    """Delete every row of ``tables``: what CKAN's reset does to its own tables, for all.

    DELETE rather than TRUNCATE: the few rows a test leaves go much faster
    than the new files of a TRUNCATE of forty tables (about 0.7 s). One block
    on the server deletes from the tables that hold rows, then looks again:
    rows that a table's triggers write while it is emptied (the index's facet
    counts) go on the next pass.
    """
    names = ", ".join("'" + table.replace("'", "''") + "'" for table in tables)
    connection.execute(sa.text(f"""
        DO $clean$
        DECLARE
          name text;
          found boolean;
          passes integer := 0;
          deleted boolean := true;
        BEGIN
          WHILE deleted LOOP
            passes := passes + 1;
            IF passes > 3 THEN
              RAISE EXCEPTION 'clean_db could not empty the tables';
            END IF;
            deleted := false;
            FOREACH name IN ARRAY ARRAY[{names}]::text[] LOOP
              EXECUTE 'SELECT EXISTS (SELECT FROM ' || quote_ident(name) || ')' INTO found;
              IF found THEN
                EXECUTE 'DELETE FROM ' || quote_ident(name);
                deleted := true;
              END IF;
            END LOOP;
          END LOOP;
        END
        $clean$
    """))


def _migrate(migrate_db_for, plugin: str) -> None:
    """CKAN migrates a loaded plugin only: the index table is made even for
    a test on Solr, without quebec_search (tests/solr/fixtures.py)."""
    if plugins.plugin_loaded(plugin):
        migrate_db_for(plugin)
        return
    plugins.load(plugin)
    try:
        migrate_db_for(plugin)
    finally:
        plugins.unload(plugin)


@pytest.fixture
def clean_db(reset_db, migrate_db_for, with_plugins):
    """CKAN's clean_db, plus the suite's tables: every table of the database empty.

    The search index lives in the database, so a clean database also means an
    empty index. CKAN's reset (which drops every table on its first run in a
    process) and the migrations run when needed: on the first use, and for a
    plugin whose migrations this session has not applied yet or whose tables
    are gone. Otherwise the rows are deleted, which is much cheaper.
    """
    factories.fake.unique.clear()
    close_all_sessions()
    engine = model.ensure_engine()
    with engine.connect() as connection:
        tables = _tables(connection)
    # CKAN's reset drops every table on its first run in a process; a
    # database without CKAN's tables was dropped by something else.
    changed = not model.repo.tables_created_and_initialised or "alembic_version" not in tables
    if changed:
        _migrated.clear()
        reset_db()
    for plugin in MIGRATED_PLUGINS:
        if plugin not in ALWAYS_MIGRATED and not plugins.plugin_loaded(plugin):
            continue
        if plugin not in _migrated or f"{plugin}_alembic_version" not in tables:
            _migrate(migrate_db_for, plugin)
            _migrated.add(plugin)
            changed = True
    with engine.begin() as connection:
        if changed:
            tables = _tables(connection)
        _empty_tables(connection, _order_for_emptying(connection, tables))
    model.Session.remove()
    solr_fixtures.clear_index()


def pytest_configure(config: pytest.Config) -> None:
    solr_fixtures.configure(config)
    versions.configure(config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    solr_fixtures.deselect_other_backend(config, items)
    versions.deselect_other_versions(config, items)


@pytest.fixture
def ckan_config(ckan_config, request):
    """CKAN's ckan_config; for a test on Solr (tests/solr/fixtures.py), the
    session's Solr core as ``solr_url`` and quebec_search out of the plugins."""
    if solr_fixtures.runs_on_solr(request.node):
        solr_fixtures.use_solr(ckan_config, request.getfixturevalue("solr_url"))
    return ckan_config


@pytest.fixture
def cli(cli, monkeypatch, ckan_config):
    """CKAN's cli, running with the test's plugins and the suite's options.

    The ``ckan`` command builds its app from the ini file; CKAN's own CLI
    tests patch load_config too. A ``ckan jobs worker --burst`` started this
    way forks a work horse per job that runs with the test's configuration.
    """
    from ckan import cli as ckan_cli

    load_config = ckan_cli.load_config

    def load_with_test_config(path=None):
        config = load_config(path)
        config.update({key: value for key, value in ckan_config.items()
                       if key in ("ckan.plugins", "solr_url") or key.startswith("ckanext.quebec.")})
        return config

    monkeypatch.setattr(ckan_cli, "load_config", load_with_test_config)
    return cli
