"""DuckDB over a CSV file in bounded memory: the relation, inferred column types, statistics, first rows."""
from __future__ import annotations

import os
import tempfile
from typing import Any, Optional

import duckdb

from .errors import TabularError, _
from .sniff import Sniffed

# Patterns of the portal's guidelines (ISO 8601, "." decimals), in DuckDB regex syntax.
PATTERNS = {
    "integer": r"^[+-]?[0-9]+$",
    "number": r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    "comma_decimal": r"^[+-]?[0-9]{1,3}(( |\.)?[0-9]{3})*,[0-9]+$|^[+-]?[0-9]+,[0-9]+$",
    "date": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
    "datetime": (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
                 r"(:[0-5][0-9](\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"),
    "other_date": r"^[0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4}$",
    "boolean": r"^(true|false|TRUE|FALSE|True|False|0|1|oui|non|yes|no)$",
}
INFERENCE_CONFIDENCE = 0.9
# The widest table the reader takes: a sheet of Excel has at most this many columns.
MAX_COLUMNS = 16_384
PROFILED_PER_SCAN = 128


def connect(memory_limit: str = "256MB", threads: int = 2,
            temp_directory: Optional[str] = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that keeps to ``memory_limit`` (spilling to ``temp_directory``) and ``threads``."""
    con = duckdb.connect(":memory:", config={
        "memory_limit": memory_limit, "threads": threads,
        "temp_directory": temp_directory or os.path.join(tempfile.gettempdir(), "quebec-duckdb"),
        "preserve_insertion_order": False, "enable_external_access": True,
        "autoinstall_known_extensions": False, "autoload_known_extensions": False,
    })
    con.execute("SET enable_progress_bar = false")
    return con


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_source(con: duckdb.DuckDBPyConnection, path: str, sniffed: Sniffed,
               store_rejects: bool = False) -> str:
    """A ``read_csv(...)`` table expression over ``path`` with explicit options, every column as text.

    The file's own delimiter and encoding (``sniffed``) are used so the rest
    of the checks can run on a file that breaks the guidelines. Empty cells
    read as NULL; rows with too many or too few cells are skipped, and kept
    in DuckDB's ``reject_errors`` table when ``store_rejects``.
    """
    encoding = "utf-8" if sniffed.encoding in (None, "utf-8") else "latin-1"
    options = {
        "delim": sniffed.delimiter or ",", "quote": '"', "escape": '"', "header": True,
        "all_varchar": True, "auto_detect": False, "encoding": encoding,
        "ignore_errors": True, "null_padding": False, "strict_mode": True,
    }
    names = header_names(sniffed)
    columns = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in names)
    rendered = ", ".join(f"{key} = {_literal(value)}" for key, value in options.items())
    rejects = ", store_rejects = true" if store_rejects else ""
    return f"read_csv({_literal(path)}, {rendered}, columns = {{{columns}}}{rejects})"


def header_names(sniffed: Sniffed, max_columns: int = MAX_COLUMNS) -> list[str]:
    """Column names for DuckDB: the header's labels, blank or repeated ones made unique.

    A repeated name takes underscores until it is free ("a", "a_", "a__"). The
    free counts of underscores are kept per stem (the name without its
    trailing underscores), so thousands of equal labels are named in one pass.

    :raises TabularError: ``too-many-columns`` past ``max_columns``, ``no-header``
    """
    _check_width(len(sniffed.header), max_columns)
    names: list[str] = []
    taken: dict[str, dict[int, int]] = {}  # stem -> {underscores taken: next count to try}
    for index, label in enumerate(sniffed.header):
        name = label.strip() or f"column{index + 1}"
        stem = name.rstrip("_")
        used = taken.setdefault(stem, {})
        count = _first_free(used, len(name) - len(stem))
        used[count] = count + 1
        names.append(stem + "_" * count)
    if not names:
        raise TabularError("no-header", _("The file has no header row"))
    return names


def _first_free(used: dict[int, int], count: int) -> int:
    """The smallest count of underscores from ``count`` on that no name has; the path walked is shortened."""
    walked = []
    while count in used:
        walked.append(count)
        count = used[count]
    for step in walked:
        used[step] = count
    return count


def _check_width(columns: int, max_columns: int) -> None:
    if columns > max_columns:
        raise TabularError("too-many-columns", _("The file has more than %(limit)s columns, too many to check"),
                           limit=max_columns)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _matchers(column: str) -> dict[str, str]:
    """SQL conditions, one per kind of value; regular expressions first, casts only on what they let through.

    (A failing TRY_CAST costs DuckDB an exception: ten times a regex.)
    """
    def match(kind: str) -> str:
        return f"regexp_full_match({column}, {_literal(PATTERNS[kind])})"

    return {
        "integer": match("integer"),
        "number": match("number"),
        "comma_decimal": f"contains({column}, ',') AND {match('comma_decimal')}",
        "date": f"{match('date')} AND TRY_CAST({column} AS DATE) IS NOT NULL",
        "datetime": f"length({column}) >= 16 AND substr({column}, 5, 1) = '-' AND {match('datetime')}",
        "other_date": f"length({column}) BETWEEN 6 AND 10 AND {match('other_date')} AND NOT {match('date')}",
        "boolean": f"lower({column}) IN ('true', 'false', '0', '1', 'oui', 'non', 'yes', 'no')",
    }


def column_profiles(con: duckdb.DuckDBPyConnection, source: str, names: list[str],
                    max_columns: int = MAX_COLUMNS) -> dict[str, dict]:
    """One scan: for each column, the count of rows, empty cells, values of each kind, distinct estimate, min and max.

    The columns are unpivoted into (name, value) rows grouped by name: one
    set of aggregates whatever the width (DuckDB takes time growing with the
    square of their number for a set of aggregates per column). A scan reads
    at most ``PROFILED_PER_SCAN`` columns: each column read costs DuckDB a
    vector per block of rows in flight, and a thousand of them outgrow its
    memory limit.

    :returns: {column: {"count", "nulls", "distinct", "min", "max", "matches": {kind: n}}}
    :raises TabularError: ``too-many-columns`` past ``max_columns``, ``unreadable``
    """
    _check_width(len(names), max_columns)
    matchers = _matchers("value")
    aggregates = ", ".join(["count(*)", "count(value)", "approx_count_distinct(value)", "min(value)",
                            "max(value)"] + [f"count(*) FILTER (WHERE {condition})" for condition in matchers.values()])
    rows = []
    try:
        for start in range(0, len(names), PROFILED_PER_SCAN):
            selected = ", ".join(quote_identifier(name) for name in names[start:start + PROFILED_PER_SCAN])
            rows += con.sql(f"SELECT name, {aggregates} FROM (SELECT {selected} FROM {source}) "
                            f"UNPIVOT INCLUDE NULLS (value FOR name IN (COLUMNS(*))) GROUP BY name").fetchall()
    except duckdb.Error as error:
        raise TabularError("unreadable", _("The file cannot be read as CSV: %(reason)s"),
                           reason=str(error).splitlines()[0][:200])
    found = {row[0]: row[1:] for row in rows}
    empty = (0, 0, 0, None, None) + (0,) * len(matchers)  # a file without data rows: no group
    profiles: dict[str, dict] = {}
    for name in names:
        total, filled, distinct, low, high, *matches = found.get(name, empty)
        profiles[name] = {
            "count": total, "nulls": total - filled, "distinct": distinct, "min": low, "max": high,
            "matches": dict(zip(matchers, matches)),
        }
    return profiles


def infer_type(profile: dict) -> str:
    """The Table Schema type most values of a column have (90% of the non-empty ones), else ``string``.

    Numbers written with a decimal comma count as numbers and dates in
    another order as dates, so that the validator can report them as what
    they are: numbers and dates that break the guidelines.
    """
    filled = profile["count"] - profile["nulls"]
    if not filled:
        return "string"
    matches = profile["matches"]
    candidates = [
        ("integer", matches["integer"]),
        ("number", matches["number"] + matches["comma_decimal"]),
        ("date", matches["date"] + matches["other_date"]),
        ("datetime", matches["datetime"]),
        ("boolean", matches["boolean"]),
    ]
    for name, count in candidates:
        if count >= INFERENCE_CONFIDENCE * filled and (name != "boolean" or profile["distinct"] <= 3):
            if name == "integer" and matches["integer"] < filled and \
                    matches["number"] + matches["comma_decimal"] >= INFERENCE_CONFIDENCE * filled:
                continue
            return name
    return "string"


def column_stats(con: duckdb.DuckDBPyConnection, source: str, names: list[str]) -> dict[str, dict]:
    """Per column: ``type`` (inferred), ``count``, ``nulls``, ``distinct`` (estimate), ``min``, ``max`` (as text)."""
    profiles = column_profiles(con, source, names)
    return {name: {"type": infer_type(profile), "count": profile["count"], "nulls": profile["nulls"],
                   "distinct": profile["distinct"], "min": profile["min"], "max": profile["max"]}
            for name, profile in profiles.items()}


def head(con: duckdb.DuckDBPyConnection, source: str, rows: int = 100) -> list[tuple]:
    """The first ``rows`` data rows, in file order, every value as text (None for an empty cell).

    Insertion order is kept for this query only, so DuckDB stops reading
    once it has the rows instead of scanning the whole file.
    """
    try:
        con.execute("SET preserve_insertion_order = true")
        return con.sql(f"SELECT * FROM {source} LIMIT {int(rows)}").fetchall()
    except duckdb.Error as error:
        raise TabularError("unreadable", _("The file cannot be read as CSV: %(reason)s"),
                           reason=str(error).splitlines()[0][:200])
    finally:
        con.execute("SET preserve_insertion_order = false")
