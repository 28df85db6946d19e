"""A table in CKAN's DataStore, read instead of its file: one read-only COPY in ``_id`` order, scanned like a file.

Not a reader of a format: the builder comes here for any resource whose
table is in the DataStore (``datastore_active``) and whose format is not a
geographic one (a geographic file holds geometries the table does not).
"""
from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from ckanext.quebec.tabular.errors import TabularError, _

if TYPE_CHECKING:
    from ..builder import Builder

log = logging.getLogger(__name__)

# DataStore (PostgreSQL) column types read as they are; any other is read as text.
DATASTORE_TYPES = {"int2": "BIGINT", "int4": "BIGINT", "int8": "BIGINT", "smallint": "BIGINT",
                   "integer": "BIGINT", "bigint": "BIGINT", "numeric": "DOUBLE", "float4": "DOUBLE",
                   "float8": "DOUBLE", "real": "DOUBLE", "double precision": "DOUBLE",
                   "date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMP",
                   "bool": "BOOLEAN", "boolean": "BOOLEAN"}
DATASTORE_SYSTEM_COLUMNS = {"_id", "_full_text"}
# bounds the DataStore's work if the build process is killed mid-query
DATASTORE_STATEMENT_TIMEOUT_MS = 25 * 60 * 1000


def read(build: Builder) -> None:
    """The extract of a DataStore table, read like a file: first rows in ``_id`` order, all rows counted.

    The table is copied out (COPY, streamed to a CSV in the build folder)
    in one read-only transaction, then scanned by DuckDB with the types
    the DataStore gives its columns: the same caps and statistics as a
    file's, in bounded memory whatever the table's size.
    """
    fields = [(field["id"], str(field.get("type") or "text").lower())
              for field in build.datastore.get("fields") or ()
              if field["id"] not in DATASTORE_SYSTEM_COLUMNS]
    types = dict(fields)
    columns = [(name, DATASTORE_TYPES.get(kind, "VARCHAR")) for name, kind in fields]
    columns_total = len(columns)
    columns = build.table.set_columns(columns)
    spill = os.path.join(build.directory, ".rows.csv")
    _copy_out(build, columns, types, spill)
    build.table.from_spill(spill, columns)
    build.meta["columns_total"] = columns_total
    build.meta["columns_capped"] = columns_total > len(columns)
    for column in build.meta["columns"]:
        column["type"] = types[column["name"]]
    build.meta["stats_scope"] = "datastore"
    if build.meta["rows_total"] == 0:
        build.meta["warnings"] = [warning for warning in build.meta["warnings"]
                                  if warning["code"] != "no-rows"]
        build.warn("no-rows", _("The DataStore table has no rows"))


def _copy_out(build: Builder, columns: list[tuple[str, str]], types: dict[str, str], spill: str) -> None:
    """Stream the table's ``columns`` in ``_id`` order into the CSV ``spill``, in one read-only transaction."""
    import psycopg2
    from psycopg2 import sql

    selected = []
    for name, duckdb_type in columns:
        column = sql.Identifier(name)
        if types[name] == "timestamptz":  # as DuckDB's TIMESTAMP holds it: in UTC
            selected.append(sql.SQL("({} AT TIME ZONE 'UTC')").format(column))
        elif duckdb_type == "BOOLEAN":  # true/false, not COPY's t/f
            selected.append(sql.SQL("{}::text").format(column))
        else:
            selected.append(column)
    copy = sql.SQL("COPY (SELECT {} FROM {} ORDER BY _id) TO STDOUT WITH (FORMAT csv)").format(
        sql.SQL(", ").join(selected), sql.Identifier(build.datastore["table"]))
    try:
        database = psycopg2.connect(
            build.datastore["url"], connect_timeout=build.settings.fetch_timeout,
            application_name="quebec_viz preview", client_encoding="UTF8",
            options=f"-c statement_timeout={DATASTORE_STATEMENT_TIMEOUT_MS}")
    except psycopg2.Error as error:
        raise _failed(build, error, "the DataStore cannot be reached", "datastore-unreachable",
                      _("The DataStore, where this table is kept, cannot be reached"))
    try:
        database.set_session(readonly=True)
        with database.cursor() as cursor, open(spill, "w", encoding="utf-8") as stream:
            cursor.copy_expert(copy.as_string(cursor), stream, size=1 << 20)
    except psycopg2.Error as error:
        raise _failed(build, error, "the DataStore table cannot be read", "datastore-unreadable",
                      _("The DataStore table of this resource cannot be read"))
    finally:
        database.close()


def _failed(build: Builder, error: Exception, what: str, code: str, msgid: str) -> TabularError:
    """The error shown for a DataStore failure, its cause logged for the operators."""
    log.warning("Preview of resource %s: %s: %s", build.resource["id"], what, error)
    return TabularError(code, msgid)
