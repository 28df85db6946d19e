"""The table part of an extract: first rows as Parquet, statistics of all rows, in DuckDB.

Every reader of rows ends here: DuckDB scans a file (CSV, JSON) or a spill
of rows read in Python (XLSX cells, map features' properties, a DataStore
table's COPY) and :class:`Table` keeps the first rows, counts all of them
and records each column's statistics in the build's meta.
"""
from __future__ import annotations

import csv
import datetime
import decimal
import json
import math
import os
from typing import Any, Callable, Iterable

import duckdb

from ckanext.quebec.tabular.errors import TabularError, _

from .common import ROW_ID, ROWS_FILE, column_kind, json_value, literal, quote


class Table:
    """Writes the rows and statistics of one build into ``directory`` and ``meta``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, directory: str, meta: dict[str, Any],
                 warn: Callable[..., None]) -> None:
        self.connection = connection
        self.directory = directory
        self.meta = meta
        self.warn = warn
        self.max_rows = meta["max_rows"]
        self.max_columns = meta["max_columns"]

    def set_columns(self, columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The columns kept (the first ``max_columns``); the total and the cap recorded."""
        columns = [(name, kind) for name, kind in columns if name != ROW_ID]
        if not columns:
            raise TabularError("no-columns", _("The file has no columns"))
        self.meta["columns_total"] = len(columns)
        if len(columns) > self.max_columns:
            self.meta["columns_capped"] = True
            columns = columns[:self.max_columns]
        return columns

    def from_scan(self, relation_sql: str, csv_rejects: bool = False) -> None:
        """The extract and the statistics of a file DuckDB scans: first rows kept, whole file counted."""
        described = self.connection.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()
        columns = self.set_columns([(row[0], str(row[1])) for row in described])
        selected = ", ".join(quote(name) for name, _type in columns)
        self.connection.execute(
            f"CREATE TABLE kept AS SELECT {selected} FROM {relation_sql} LIMIT {int(self.max_rows) + 1}")
        self._write_rows(columns)
        total = self._stats(relation_sql, columns)
        self.meta["rows_total"] = total
        self.meta["rows_capped"] = total > self.meta["rows_kept"]
        if csv_rejects:
            rejected = self.connection.execute(
                "SELECT count(DISTINCT line) FROM reject_errors").fetchone()[0]
            self.meta["rows_rejected"] = int(rejected)
            if rejected:
                self.warn("rows-rejected",
                          _("%(count)s rows could not be read (wrong number of fields or broken quotes) and are left out"),
                          count=int(rejected))
        if total == 0:
            self.warn("no-rows", _("The file has a header but no data rows"))

    def _write_rows(self, columns: list[tuple[str, str]]) -> None:
        kept = self.connection.execute("SELECT count(*) FROM kept").fetchone()[0]
        if kept > self.max_rows:
            self.meta["rows_capped"] = True
            kept = self.max_rows
        self.meta["rows_kept"] = int(kept)
        selected = ", ".join(quote(name) for name, _type in columns)
        target = os.path.join(self.directory, ROWS_FILE)
        self.connection.execute(
            f"COPY (SELECT row_number() OVER () AS {ROW_ID}, {selected} FROM "
            f"(SELECT * FROM kept LIMIT {int(self.max_rows)})) TO {literal(target)} (FORMAT parquet)")

    def _stats(self, relation_sql: str, columns: list[tuple[str, str]]) -> int:
        """Row count and per-column statistics in one scan of ``relation_sql``."""
        parts = ["count(*)"]
        for name, duckdb_type in columns:
            column = quote(name)
            kind = column_kind(duckdb_type)
            parts += [f"count({column})", f"approx_count_distinct({column})"]
            if kind == "text":
                parts += [f"min(length({column}))", f"max(length({column}))", "NULL"]
            elif kind == "boolean":
                parts += [f"count_if({column})", f"count_if(NOT {column})", "NULL"]
            else:
                parts += [f"min({column})", f"max({column})",
                          f"avg({column})" if kind == "number" else "NULL"]
        row = self.connection.execute(f"SELECT {', '.join(parts)} FROM {relation_sql}").fetchone()
        total = int(row[0])
        for index, (name, duckdb_type) in enumerate(columns):
            values, distinct, low, high, mean = row[1 + 5 * index: 6 + 5 * index]
            kind = column_kind(duckdb_type)
            stats: dict[str, Any] = {"values": int(values), "empty": total - int(values),
                                     # an estimate: never more than the values
                                     "distinct": min(int(distinct), int(values))}
            if kind == "text":
                stats.update(min_length=low, max_length=high)
            elif kind == "boolean":
                stats.update(true=low, false=high)
            else:
                stats.update(min=json_value(low), max=json_value(high))
                if mean is not None:
                    stats["mean"] = round(float(mean), 6)
            self.meta["columns"].append(
                {"name": name, "type": duckdb_type, "kind": kind, "stats": stats})
        return total

    def from_python_rows(self, names: list[str], rows: Iterable[list[Any]]) -> None:
        """The extract of rows read in Python (XLSX, feature properties), with statistics of all rows.

        Every row is spilled, as text, to a CSV in the build folder while each
        column's type is found from the Python values of all rows (a text
        cell "01" stays text); DuckDB then scans the spill, cast to those
        types, as it scans a CSV file: first rows kept, all rows counted.
        """
        names = _unique_names(names)
        width = len(names)
        seen: list[set[str]] = [set() for _name in names]
        spill = os.path.join(self.directory, ".rows.csv")
        with open(spill, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            for row in rows:
                cells = list(row[:width]) + [None] * (width - len(row))
                writer.writerow([_spilled(value, kinds) for value, kinds in zip(cells, seen)])
        self.from_spill(spill, [(name, _spilled_type(kinds)) for name, kinds in zip(names, seen)])

    def from_spill(self, spill: str, columns: list[tuple[str, str]]) -> None:
        """Scan a headerless CSV of text cells, cast to ``columns`` (name, DuckDB type), then delete it."""
        raw = ", ".join(f"{literal(f'c{index}')}: 'VARCHAR'" for index in range(len(columns)))
        typed = ", ".join(f"CAST(c{index} AS {kind}) AS {quote(name)}"
                          for index, (name, kind) in enumerate(columns))
        self.from_scan(f"(SELECT {typed} FROM read_csv({literal(spill)}, header=false,"
                       f" auto_detect=false, delim=',', quote='\"', escape='\"', columns={{{raw}}}))")
        os.remove(spill)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for index, name in enumerate(names):
        name = (str(name).strip() if name is not None else "") or f"column{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        unique.append(name)
    return unique


def _spilled(value: Any, kinds: set[str]) -> str:
    """A value as text in the spill CSV; its kind (bool, number, datetime, date, text) noted in ``kinds``."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        kinds.add("bool")
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        kinds.add("number")
        return str(value)
    if isinstance(value, datetime.datetime):
        kinds.add("datetime")
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        kinds.add("date")
        return value.isoformat()
    kinds.add("text")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _spilled_type(kinds: set[str]) -> str:
    """The DuckDB type of a spilled column whose values were all of ``kinds``."""
    if kinds == {"bool"}:
        return "BOOLEAN"
    if kinds == {"number"}:
        return "DOUBLE"
    if kinds == {"date"}:
        return "DATE"
    if kinds and kinds <= {"date", "datetime"}:
        return "TIMESTAMP"
    return "VARCHAR"
