"""Reading a stored extract: a page of rows (sorted, filtered), chart series, map features.

Column names in SQL come from the extract's own meta.json, never from a
request: a requested sort or chart column is looked up there first. Values
from requests are bound parameters.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Any, Optional

import duckdb

from . import extract, storage

MAX_CATEGORIES_SHOWN = 30
MAX_POINTS = 2000


_database: Optional[duckdb.DuckDBPyConnection] = None
_lock = threading.Lock()


def _connection() -> duckdb.DuckDBPyConnection:
    """A cursor on the process's one in-memory DuckDB: opening a database costs ~50 ms, a cursor nothing."""
    global _database
    with _lock:
        if _database is None:
            _database = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": "128MB"})
        return _database.cursor()


def _parquet(resource_id: str) -> str:
    return storage.file_path(resource_id, extract.ROWS_FILE)


def _filter(names: list[str], text: str) -> tuple[str, list[Any]]:
    """A WHERE clause matching ``text`` anywhere in a row (case-insensitive)."""
    if not text:
        return "", []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = " OR ".join(
        f"CAST({extract.quote(name)} AS VARCHAR) ILIKE ? ESCAPE '\\'" for name in names)
    return f" WHERE ({conditions})", [pattern] * len(names)


def rows(resource_id: str, meta: dict, offset: int, limit: int, sort: Optional[str],
         descending: bool, text: str) -> dict[str, Any]:
    """A page of the extract's rows: ``total`` (matching rows), ``rows`` (lists, in column order)."""
    names = [column["name"] for column in meta["columns"]]
    where, params = _filter(names, text)
    order = extract.ROW_ID
    if sort:
        direction = "DESC" if descending else "ASC"
        order = f"{extract.quote(sort)} {direction} NULLS LAST, {extract.ROW_ID}"
    selected = ", ".join([extract.ROW_ID] + [extract.quote(name) for name in names])
    path = _parquet(resource_id)
    with _connection() as connection:
        # unfiltered, the count is the extract's, known from meta.json
        total = meta["rows_kept"] if not where else connection.execute(
            f"SELECT count(*) FROM read_parquet(?){where}", [path] + params).fetchone()[0]
        found = connection.execute(
            f"SELECT {selected} FROM read_parquet(?){where} ORDER BY {order} LIMIT ? OFFSET ?",
            [path] + params + [limit, offset]).fetchall()
    return {"total": int(total), "offset": offset, "limit": limit,
            "columns": names,
            "rows": [[extract.json_value(value) for value in row] for row in found]}


def chart(resource_id: str, meta: dict, settings: dict) -> dict[str, Any]:
    """The series of a chart: ``labels`` and ``values`` (or ``points`` for a scatter)."""
    kinds = {column["name"]: column["kind"] for column in meta["columns"]}
    x_column, y_column = settings["x_column"], settings.get("y_column")
    path = _parquet(resource_id)
    x = extract.quote(x_column)
    with _connection() as connection:
        if settings["chart_type"] == "scatter" and y_column:
            y = extract.quote(y_column)
            found = connection.execute(
                f"SELECT {x}, {y} FROM read_parquet(?) WHERE {x} IS NOT NULL AND {y} IS NOT NULL "
                f"ORDER BY {extract.ROW_ID} LIMIT ?", [path, MAX_POINTS]).fetchall()
            return {"points": [[extract.json_value(a), extract.json_value(b)] for a, b in found],
                    "truncated": len(found) >= MAX_POINTS}
        aggregate = {"sum": "sum", "mean": "avg", "count": "count"}[settings.get("aggregate") or "sum"]
        measure = "count(*)" if aggregate == "count" or not y_column else \
            f"{aggregate}({extract.quote(y_column)})"
        ordered = kinds.get(x_column) in ("date", "datetime", "number") \
            or settings["chart_type"] == "line"
        order = f"{x}" if ordered else "2 DESC, 1"
        limit = MAX_POINTS if ordered else MAX_CATEGORIES_SHOWN
        found = connection.execute(
            f"SELECT {x}, {measure} FROM read_parquet(?) WHERE {x} IS NOT NULL "
            f"GROUP BY 1 ORDER BY {order} LIMIT ?", [path, limit + 1]).fetchall()
    return {"labels": [extract.json_value(label) for label, _measure in found[:limit]],
            "values": [extract.json_value(value) for _label, value in found[:limit]],
            "truncated": len(found) > limit}


def features(resource_id: str) -> dict[str, Any]:
    """The extract's map features (a GeoJSON FeatureCollection)."""
    path = storage.file_path(resource_id, extract.FEATURES_FILE)
    if not os.path.exists(path):
        return {"type": "FeatureCollection", "features": []}
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)
