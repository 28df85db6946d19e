"""ckanext-dcat's harvester finds a record's dataset by its guid through quebec_harvest's index.

``DCATRDFHarvester._read_datasets_from_db`` runs for every harvested record.
The statement it sends (captured here as it runs) is explained with sequential
scans disabled: the plan reads the migration's index only when the index's
expression is the query's own, which is what this checks, on each CKAN
version's schema (2.12: ``package.extras``, 2.11: ``package_extra``). The
migration also goes down and up again.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search harvest dcat_rdf_harvester quebec_harvest"),
]

GUID = "https://donnees.example.qc.ca/dataset/bibliotheques"
INDEXES = {"quebec_harvest_package_guid", "quebec_harvest_package_extra_guid"}


def _lookup_statements(guid: str) -> tuple[list, list[tuple[str, object]]]:
    """The harvester's answer for ``guid`` and the statements it sent."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        found = DCATRDFHarvester()._read_datasets_from_db(guid)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return found, sent


def _plan(statement: str, parameters) -> str:
    connection = model.Session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).fetchall()
    model.Session.rollback()
    return "\n".join(row[0] for row in rows)


def _indexes() -> set[str]:
    with model.ensure_engine().connect() as connection:
        return set(connection.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " AND indexname = ANY(:names)"), {"names": sorted(INDEXES)}).scalars())


def test_the_guid_lookup_reads_the_index():
    harvested = factories.Dataset(extras=[{"key": "guid", "value": GUID}])
    factories.Dataset(extras=[{"key": "guid", "value": GUID + "-autre"}])
    factories.Dataset()

    found, sent = _lookup_statements(GUID)

    assert [row[0] for row in found] == [harvested["id"]]
    lookups = [(statement, parameters) for statement, parameters in sent if "guid" in str(parameters)]
    assert len(lookups) == 1, sent
    plan = _plan(*lookups[0])
    assert any(index in plan for index in INDEXES), plan
    assert len(_indexes()) == 1


def test_the_migration_goes_down_and_up(migrate_db_for):
    assert len(_indexes()) == 1
    model.Session.remove()
    try:
        migrate_db_for("quebec_harvest", "base", False)
        assert _indexes() == set()
    finally:
        migrate_db_for("quebec_harvest")
    assert len(_indexes()) == 1
