"""The index's partitions (migration 0007): what they are, and what becomes of them
when every table is dropped (``ckan db clean``, CKAN's test reset).

CKAN drops the tables it reflects in an order of its own, which knows nothing
of partitions: dropping the index before one of its partitions drops that
partition with it, and the later ``DROP TABLE`` of the partition then fails.
Detached first, the partitions are plain tables, dropped in any order.
"""
from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa

PARTITIONED_TABLE = "quebec_search_document"

_PARTITIONS = sa.text(
    "SELECT c.relname, greatest(c.reltuples, 0) FROM pg_inherits i"
    " JOIN pg_class c ON c.oid = i.inhrelid"
    " WHERE i.inhparent = to_regclass(:table) ORDER BY c.relname")


def sizes(connection: sa.engine.Connection) -> list[tuple[str, float]]:
    """(name, PostgreSQL's estimate of its rows) of each partition, by name."""
    return [(name, float(rows)) for name, rows in connection.execute(
        _PARTITIONS, {"table": PARTITIONED_TABLE})]


def names(connection: sa.engine.Connection) -> list[str]:
    """The partitions' names, in order."""
    return [name for name, _rows in sizes(connection)]


@sa.event.listens_for(sa.MetaData, "before_drop")
def detach_partitions(metadata: sa.MetaData, connection: sa.engine.Connection,
                      tables: Iterable[Any] = (), **kwargs: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    if not any(getattr(table, "name", None) == PARTITIONED_TABLE for table in tables):
        return
    preparer = connection.dialect.identifier_preparer
    for child in names(connection):
        connection.execute(sa.text(
            f"ALTER TABLE {preparer.quote(PARTITIONED_TABLE)}"
            f" DETACH PARTITION {preparer.quote(child)}"))
