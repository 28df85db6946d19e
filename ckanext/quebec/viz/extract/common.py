"""What every part of a build shares: the extract's files, the build's settings, SQL and value helpers."""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import math
import re
from typing import Any

FORMAT_VERSION = 1
ROWS_FILE = "rows.parquet"
FEATURES_FILE = "features.geojson"
META_FILE = "meta.json"
ROW_ID = "_row"

NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")


@dataclasses.dataclass
class Settings:
    """The caps and limits of a build (viz/config.py's extract_settings() reads them from CKAN)."""

    max_rows: int = 10_000
    max_columns: int = 100
    max_features: int = 5_000
    max_download_bytes: int = 2 << 30
    max_geo_bytes: int = 100 << 20
    memory_limit: str = "200MB"
    allow_private_urls: bool = False
    fetch_timeout: int = 30


def column_kind(duckdb_type: str) -> str:
    """The kind of a column for the views: number, date, datetime, boolean or text."""
    base = duckdb_type.upper()
    if base.startswith("DECIMAL") or base in NUMBER_TYPES:
        return "number"
    if base == "DATE":
        return "date"
    if base.startswith("TIMESTAMP"):
        return "datetime"
    if base == "BOOLEAN":
        return "boolean"
    return "text"


def quote(identifier: str) -> str:
    """An SQL identifier, quoted (names come from the file, never from a request)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """An SQL string literal (paths and delimiters the build chose, never a request's)."""
    return "'" + text.replace("'", "''") + "'"


def normal(name: str) -> str:
    """A column name lower-cased, its spaces and dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def json_value(value: Any) -> Any:
    """A value read by DuckDB as JSON can hold it (statistics, rows, chart points)."""
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
