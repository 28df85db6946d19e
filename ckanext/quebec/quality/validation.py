"""Validation of a resource's data against the portal's guidelines and its Table Schema: CSV, XLSX, GeoJSON.

Bulk checks (types, empty cells, keys) run in DuckDB in one scan of the
file, so a 1 GB CSV is validated in bounded memory; frictionless reads the
declared Table Schema (its semantics: types, constraints, primaryKey,
missingValues) and the report keeps frictionless' shape and error names
(row, column/fieldName, type, message).
"""
from __future__ import annotations

import bisect
import os
import tempfile
from typing import Optional

from ckanext.quebec import tabular
from ckanext.quebec.schema import jsonvalue
from ckanext.quebec.tabular import TabularError

from . import geometries
from .report import Options, Report

PLACEHOLDERS = ("NA", "N/A", "n/a", "N.A.", "na", "null", "NULL", "Null", "None", "nan", "NaN", "-",
                "--", "?", "ND", "N/D", "n/d", "nd", "#N/A", "s.o.", "S.O.")
CHECKED_TYPES = ("integer", "number", "date", "datetime", "boolean", "year")
TABULAR_FORMATS = ("csv", "text/csv", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
GEOJSON_FORMATS = ("geojson", "application/geo+json")
INFERENCE_ROWS = 10_000
KEYS_PER_PARTITION = 1_000_000
CHECKS_PER_SCAN = 64


def _(message: str) -> str:
    return message


def kind_of(resource: dict) -> Optional[str]:
    """``csv``, ``xlsx``, ``geojson`` or None (not validated) from the resource's format or URL."""
    declared = (resource.get("format") or "").strip().lower().lstrip(".")
    url = (resource.get("url") or "").lower().split("?")[0]
    if declared in ("csv", "text/csv") or (not declared and url.endswith(".csv")):
        return "csv"
    if declared in ("xlsx", TABULAR_FORMATS[3]) or (not declared and url.endswith(".xlsx")):
        return "xlsx"
    if declared in GEOJSON_FORMATS or (not declared and url.endswith(".geojson")):
        return "geojson"
    return None


def failed(error: TabularError, kind: Optional[str]) -> Report:
    """The report of a file that could not be validated: ``cannot validate: <reason>``."""
    return Report(status="error", format=kind, reason=error.as_dict())


def validate_resource(resource: dict, options: Optional[Options] = None) -> Report:
    """Fetch (upload or URL) and validate a resource dict; never raises for a bad file."""
    options = options or Options()
    kind = kind_of(resource)
    if kind is None:
        return Report(status="not_checked", format=(resource.get("format") or None))
    try:
        with tabular.open_resource(resource, options.limits) as local:
            return validate_file(local.path, kind, table_schema(resource), options,
                                 declared_format=resource.get("format") or kind)
    except TabularError as error:
        return failed(error, kind)


def validate_file(path: str, kind: str, schema: Optional[dict] = None,
                  options: Optional[Options] = None, declared_format: Optional[str] = None) -> Report:
    """Validate the local file ``path`` as ``kind`` (csv, xlsx, geojson) against ``schema`` (a Table Schema dict)."""
    options = options or Options()
    try:
        sniffed = tabular.sniff(path, full_utf8_check=(kind == "csv"))
        tabular.check_format(sniffed, declared_format or kind)
        if kind == "geojson":
            return geometries.validate_geojson(path, options)
        if kind == "xlsx":
            handle, converted = tempfile.mkstemp(prefix="quebec-xlsx-", suffix=".csv")
            os.close(handle)
            try:
                tabular.xlsx_to_csv(path, converted, max_uncompressed=options.limits.max_bytes)
                report = _validate_csv(converted, tabular.sniff(converted), schema, options,
                                       check_text=False)
                report.format = "xlsx"
                return report
            finally:
                os.remove(converted)
        return _validate_csv(path, sniffed, schema, options)
    except TabularError as error:
        if error.code in ("html-instead-of-data", "format-mismatch", "empty-file", "not-json",
                          "not-geojson", "not-xlsx", "encoding-error", "no-header"):
            report = Report(status="invalid", format=kind)
            report.add(error.code, error.msgid, limit=options.max_errors, **error.params)
            return report.finish()
        return failed(error, kind)


# Table Schema -------------------------------------------------------------------------------------

def table_schema(resource: dict) -> Optional[dict]:
    """The resource's Table Schema: its ``schema`` (ckanext-validation's field) or a JSON data dictionary."""
    for key in ("schema", "data_dictionary"):
        value = resource.get(key)
        if isinstance(value, str) and value.strip().startswith("{"):
            value = jsonvalue.from_json(value)
        if isinstance(value, dict) and isinstance(value.get("fields"), list):
            return value
    return None


def _schema_fields(schema: dict, report: Report) -> Optional[tuple[list[dict], list[str], list[str]]]:
    """Fields, primary key and missing values of a Table Schema, checked by frictionless; None if it is broken."""
    import frictionless

    try:
        parsed = frictionless.Schema.from_descriptor(schema)
    except frictionless.FrictionlessException as error:
        report.add("schema-error", _("The Table Schema is not valid: %(reason)s"),
                   reason=str(error.error.note or error.error.message)[:200])
        return None
    fields = [{"name": f.name, "type": f.type,
               "constraints": dict(f.constraints or {})} for f in parsed.fields]
    missing = list(parsed.missing_values) if parsed.missing_values else [""]
    return fields, list(parsed.primary_key or []), missing


# CSV ----------------------------------------------------------------------------------------------

def _type_condition(column: str, kind: str) -> Optional[str]:
    """SQL condition true when a non-empty value is NOT of ``kind`` (guideline spelling)."""
    pattern = {"integer": "integer", "number": "number", "date": "date", "datetime": "datetime"}.get(kind)
    if kind == "date":
        return (f"NOT (regexp_full_match({column}, '{tabular.PATTERNS['date']}') "
                f"AND TRY_CAST({column} AS DATE) IS NOT NULL)")
    if kind == "datetime":
        return (f"NOT (regexp_full_match({column}, '{tabular.PATTERNS['datetime']}') "
                f"OR regexp_full_match({column}, '{tabular.PATTERNS['date']}'))")
    if kind == "boolean":
        return f"lower({column}) NOT IN ('true', 'false', '0', '1', 'oui', 'non', 'yes', 'no')"
    if kind == "year":
        return f"NOT regexp_full_match({column}, '^[0-9]{{4}}$')"
    if pattern:
        return f"NOT regexp_full_match({column}, '{tabular.PATTERNS[pattern]}')"
    return None


def _type_message(kind: str, value: str) -> tuple[str, str]:
    """The error code and message of a value that is not of ``kind``."""
    import re

    if kind in ("number", "integer") and re.fullmatch(tabular.PATTERNS["comma_decimal"], value or ""):
        return "decimal-error", _("“%(value)s” uses a comma: numbers use “.” as decimal separator")
    if kind in ("date", "datetime") and re.fullmatch(tabular.PATTERNS["other_date"], value or "") \
            and not re.fullmatch(tabular.PATTERNS["date"], value or ""):
        return "date-format-error", _("“%(value)s” is not an ISO 8601 date (YYYY-MM-DD)")
    return "type-error", _("“%(value)s” is not of type %(type)s")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _validate_csv(path: str, sniffed: tabular.Sniffed, schema: Optional[dict], options: Options,
                  check_text: bool = True) -> Report:
    report = Report(status="invalid", format="csv", encoding=sniffed.encoding,
                    delimiter=sniffed.delimiter)
    limit = options.max_errors
    if sniffed.kind != "csv":
        raise TabularError("format-mismatch", _("The resource says %(format)s but the file is %(kind)s"),
                           format="CSV", kind=sniffed.kind)
    if check_text:
        if sniffed.invalid_utf8_line is not None:
            report.add("encoding-error", _("The file is not encoded in UTF-8 (it looks like %(encoding)s)"),
                       row=sniffed.invalid_utf8_line, limit=limit, encoding=sniffed.encoding)
        if sniffed.delimiter != ",":
            report.add("delimiter-error", _("Columns are separated by “%(delimiter)s”: use a comma"),
                       limit=limit, delimiter="tab" if sniffed.delimiter == "\t" else sniffed.delimiter)
    names = tabular.header_names(sniffed, options.max_columns)
    _check_header(sniffed.header, report, limit)

    declared = _schema_fields(schema, report) if schema else None
    if declared:
        fields, primary_key, missing_values = declared
        report.schema_source = "declared"
        schema_names = [f["name"] for f in fields]
        for name in schema_names:
            if name not in names:
                report.add("missing-label", _("The column “%(label)s” of the Table Schema is not in the file"),
                           row=1, column=name, limit=limit, label=name)
        for name in names:
            if name not in schema_names:
                report.add("extra-label", _("The column “%(label)s” is not in the Table Schema"),
                           row=1, column=name, limit=limit, label=name)
    else:
        fields, primary_key, missing_values = [], [], [""]

    con = tabular.connect(options.memory_limit, options.threads)
    try:
        source = tabular.csv_source(con, path, sniffed, store_rejects=True)
        if not declared:
            # Types are inferred from the first rows, as frictionless does; the
            # whole file is then checked against them in one scan.
            report.schema_source = "inferred"
            sample = tabular.column_profiles(con, f"(SELECT * FROM {source} LIMIT {INFERENCE_ROWS})", names,
                                             options.max_columns)
            fields = [{"name": name, "type": tabular.infer_type(sample[name]), "constraints": {}}
                      for name in names]
        by_name = {f["name"]: f for f in fields if f["name"] in names}
        report.fields = [{"name": f["name"], "type": f["type"]} for f in fields]
        report.primary_key = list(primary_key)
        _check_cells(con, source, by_name, primary_key, missing_values, report, limit)
    finally:
        con.close()
    return report.finish()


def _check_header(labels: list[str], report: Report, limit: int) -> None:
    """Blank and repeated column names (one pass), and a first row that holds data."""
    seen: set[str] = set()
    for index, label in enumerate(labels):
        if not label.strip():
            report.add("blank-label", _("Column %(number)s has no name in the header row"),
                       row=1, limit=limit, number=index + 1)
        elif label.strip() in seen:
            report.add("duplicate-label", _("The column name “%(label)s” is repeated"),
                       row=1, column=label, limit=limit, label=label)
        seen.add(label.strip())
    filled_labels = [label.strip() for label in labels if label.strip()]
    if filled_labels and (any(_looks_like_data(label) for label in filled_labels)
                          or all(label.isdigit() for label in filled_labels)):
        report.add("header-error", _("The first row holds data, not column names: add a header row"),
                   row=1, limit=limit)


def _looks_like_data(label: str) -> bool:
    """A decimal number or a date: no column name looks like that (a bare year such as 2021 may)."""
    import re

    return bool((re.fullmatch(tabular.PATTERNS["number"], label) and not label.isdigit())
                or re.fullmatch(tabular.PATTERNS["date"], label)
                or re.fullmatch(tabular.PATTERNS["comma_decimal"], label))


def _rejects(con, report: Report, limit: int) -> list[int]:
    """Rows with too many or too few cells, from DuckDB's rejects; returns their row numbers, in order."""
    import duckdb

    try:
        rows = con.sql("SELECT DISTINCT line, error_type FROM reject_errors ORDER BY line").fetchall()
    except duckdb.CatalogException:  # no row was rejected
        return []
    lines = []
    for line, error_type in rows:
        lines.append(line)
        if error_type == "TOO MANY COLUMNS":
            report.add("extra-cell", _("Row %(row)s has more cells than the header"), row=line,
                       limit=limit, row_number=line)
        elif error_type == "MISSING COLUMNS":
            report.add("missing-cell", _("Row %(row)s has fewer cells than the header"), row=line,
                       limit=limit, row_number=line)
        else:
            report.add("source-error", _("Row %(row)s cannot be read: %(reason)s"), row=line, limit=limit,
                       row_number=line, reason=str(error_type))
    for error in report.errors:  # the rows above were added with their number under "row"
        if "row_number" in error["params"]:
            error["params"]["row"] = error["params"].pop("row_number")
    return lines


def _check_cells(con, source: str, fields: dict[str, dict], primary_key: list[str],
                 missing_values: list[str], report: Report, limit: int) -> None:
    """Count every bad cell in one scan, then list the first ones with their row numbers."""
    quote = tabular.quote_identifier
    checks: list[tuple[str, str, str]] = []  # (column, kind of check, SQL condition true when wrong)
    extra_missing = [value for value in missing_values if value != ""]
    for name, spec in fields.items():
        column = quote(name)
        filled = f"{column} IS NOT NULL" + "".join(
            f" AND {column} <> {_literal(value)}" for value in extra_missing)
        condition = _type_condition(column, spec["type"]) if spec["type"] in CHECKED_TYPES else None
        if condition:
            # Placeholders (NA, -, null...) fail the type too: one test per cell
            # finds both, and the listing tells them apart.
            checks.append((name, "type", f"{filled} AND {condition}"))
        constraints = spec.get("constraints") or {}
        if constraints.get("required") or name in primary_key:
            checks.append((name, "required", f"NOT ({filled})"))
        if constraints.get("enum"):
            allowed = ", ".join(_literal(str(value)) for value in constraints["enum"])
            checks.append((name, "enum", f"{filled} AND {column} NOT IN ({allowed})"))
    report.rows, counts = _count(con, source, [condition for _name, _check, condition in checks])
    rejects = _rejects(con, report, limit)
    failing = [(check, count) for check, count in zip(checks, counts) if count]
    if primary_key:
        report.key_ok = all(name in fields for name in primary_key) and not any(
            name in primary_key and check == "required" for (name, check, _c), _count in failing)
    if failing:
        _list_cells(con, source, fields, failing, report, rejects, limit)
    keys = [primary_key] if primary_key else []
    keys += [[name] for name, spec in fields.items()
             if (spec.get("constraints") or {}).get("unique") and [name] != primary_key]
    for key in keys:
        if not all(name in fields for name in key):
            continue
        _check_unique(con, source, key, report, rejects, limit, primary=key == primary_key)


def _count(con, source: str, conditions: list[str]) -> tuple[int, list[int]]:
    """The row count and how many rows meet each condition, in one scan per ``CHECKS_PER_SCAN`` conditions.

    (DuckDB keeps the rejected rows aside.) A scan's filtered counts cost
    DuckDB their number times the columns they read, for every block of rows:
    a file of a thousand columns is counted in slices.
    """
    rows, counts = 0, []
    for start in range(0, max(1, len(conditions)), CHECKS_PER_SCAN):
        part = [f"count(*) FILTER (WHERE {condition})" for condition in conditions[start:start + CHECKS_PER_SCAN]]
        found = con.sql("SELECT " + ", ".join(["count(*)"] + part) + f" FROM {source}").fetchall()[0]
        rows, counts = found[0], counts + list(found[1:])
    return rows, counts


def _row_number(ordinality: int, rejects: list[int]) -> int:
    """The file's row number (header = 1) of the ``ordinality``-th well-formed data row."""
    row = ordinality + 1
    # every rejected row at or before this one shifts it by one
    shift = 0
    while True:
        moved = bisect.bisect_right(rejects, row + shift)
        if moved == shift:
            return row + shift
        shift = moved


def _list_cells(con, source, fields, failing, report: Report, rejects: list[int], limit: int) -> None:
    quote = tabular.quote_identifier
    columns = sorted({name for (name, _check, _condition), _count in failing})
    flags = [f"({condition}) AS flag{index}" for index, ((_n, _c, condition), _count) in enumerate(failing)]
    where = " OR ".join(f"({condition})" for (_n, _c, condition), _count in failing)
    selected = ", ".join(quote(name) for name in columns)
    listed = con.sql(f"SELECT ordinality, {selected}, {', '.join(flags)} FROM {source} WITH ORDINALITY "
                     f"WHERE {where} ORDER BY ordinality LIMIT {int(limit)}").fetchall()
    messages: list[tuple[int, dict]] = []
    for record in listed:
        ordinality, values = record[0], dict(zip(columns, record[1:1 + len(columns)]))
        row = _row_number(ordinality, rejects)
        for index, ((name, check, _condition), _count) in enumerate(failing):
            if not record[1 + len(columns) + index]:
                continue
            value = values[name]
            if check == "type" and value.strip() in PLACEHOLDERS:
                code, msgid = "missing-value-error", _("“%(value)s” stands for a missing value: leave the cell empty")
                params = {"value": value}
            elif check == "type":
                code, msgid = _type_message(fields[name]["type"], value)
                params = {"value": value, "type": fields[name]["type"]}
            elif check == "required":
                code, msgid = "constraint-error", _("The column “%(column)s” must have a value on every row")
                params = {"column": name}
            else:
                code, msgid = "constraint-error", _("“%(value)s” is not one of the allowed values")
                params = {"value": value}
            messages.append((row, {"row": row, "column": name, "error": code, "msgid": msgid, "params": params}))
    # Counts per code, exact: from the listed errors when every failing cell
    # of the check was listed, else by one more scan splitting the check.
    for (name, check, condition), count in failing:
        codes = [error["error"] for _row, error in messages
                 if error["column"] == name and _check_of(error["error"]) == check]
        if len(codes) < count and check == "type":
            codes = _split_type_errors(con, source, name, fields[name]["type"], condition)
        elif len(codes) < count:
            codes = ["constraint-error"] * count
        for code in codes:
            report.counts[code] = report.counts.get(code, 0) + 1
    for _row, error in sorted(messages, key=lambda item: item[0]):
        if len(report.errors) < limit:
            report.errors.append(error)


def _split_type_errors(con, source: str, name: str, kind: str, condition: str) -> list[str]:
    """The code of every type error of a column (decimal comma, non-ISO date or other), as a list."""
    column = tabular.quote_identifier(name)
    comma = f"regexp_full_match({column}, {_literal(tabular.PATTERNS['comma_decimal'])})"
    other_date = (f"regexp_full_match({column}, {_literal(tabular.PATTERNS['other_date'])}) AND NOT "
                  f"regexp_full_match({column}, {_literal(tabular.PATTERNS['date'])})")
    special = comma if kind in ("number", "integer") else other_date if kind in ("date", "datetime") else "false"
    code = "decimal-error" if kind in ("number", "integer") else "date-format-error"
    placeholders = ", ".join(_literal(value) for value in PLACEHOLDERS)
    placeholder_count, special_count, total = con.sql(
        f"SELECT count(*) FILTER (WHERE trim({column}) IN ({placeholders})), "
        f"count(*) FILTER (WHERE trim({column}) NOT IN ({placeholders}) AND {special}), count(*) "
        f"FROM {source} WHERE {condition}").fetchall()[0]
    return (["missing-value-error"] * placeholder_count + [code] * special_count
            + ["type-error"] * (total - placeholder_count - special_count))


def _check_of(code: str) -> str:
    return {"type-error": "type", "decimal-error": "type", "date-format-error": "type",
            "missing-value-error": "type"}.get(code, "constraint")


def _check_unique(con, source: str, key: list[str], report: Report, rejects: list[int], limit: int,
                  primary: bool) -> None:
    """Key values that appear more than once: counted (rows beyond the first) and listed with their row numbers.

    The keys' hashes are copied once into a DuckDB table (8 bytes a row) and
    grouped in partitions of about a million: one hash table of ten million
    text keys would not fit in the memory limit. Hashes seen twice are then
    checked on the real values, so a hash collision is never reported.
    """
    quote = tabular.quote_identifier
    columns = ", ".join(quote(name) for name in key)
    not_null = " AND ".join(f"{quote(name)} IS NOT NULL" for name in key)
    # 8 bytes a row: the keys' 64-bit hashes; equal hashes are then checked on the real values.
    con.execute("DROP TABLE IF EXISTS quebec_keys")
    con.execute(f"CREATE TEMP TABLE quebec_keys AS SELECT hash({columns}) AS h FROM {source} WHERE {not_null}")
    partitions = max(1, -(-(report.rows or 0) // KEYS_PER_PARTITION))
    con.execute("DROP TABLE IF EXISTS quebec_candidates")
    con.execute("CREATE TEMP TABLE quebec_candidates (h UBIGINT)")
    for partition in range(partitions):
        con.execute(f"INSERT INTO quebec_candidates SELECT h FROM quebec_keys WHERE h % {partitions} = {partition} "
                    f"GROUP BY h HAVING count(*) > 1")
    con.execute("DROP TABLE quebec_keys")
    duplicates, values = 0, []
    if con.sql("SELECT count(*) FROM quebec_candidates").fetchall()[0][0]:
        found = con.sql(f"SELECT {columns}, count(*) AS n FROM {source} WHERE {not_null} AND hash({columns}) IN "
                        f"(SELECT h FROM quebec_candidates) GROUP BY {columns} HAVING count(*) > 1").fetchall()
        for record in found:
            duplicates += record[-1] - 1
            if len(values) < limit:
                values.append(record[:-1])
    if not duplicates:
        return
    code = "primary-key-error" if primary else "unique-error"
    if primary:
        report.key_ok = False
    report.counts[code] = report.counts.get(code, 0) + int(duplicates)
    wanted = " OR ".join("(" + " AND ".join(f"{quote(name)} = {_literal(str(value))}"
                                            for name, value in zip(key, record)) + ")" for record in values)
    listed = con.sql(
        f"SELECT ordinality, {columns} FROM (SELECT ordinality, {columns}, row_number() OVER "
        f"(PARTITION BY {columns} ORDER BY ordinality) AS seen FROM {source} WITH ORDINALITY WHERE {wanted}) "
        f"WHERE seen > 1 ORDER BY ordinality LIMIT {int(limit)}").fetchall()
    label = ", ".join(key)
    for record in listed:
        if len(report.errors) >= limit:
            break
        value = ", ".join(str(part) for part in record[1:])
        report.errors.append({
            "row": _row_number(record[0], rejects), "column": label, "error": code,
            "msgid": _("The key value “%(value)s” of “%(column)s” is repeated"),
            "params": {"value": value, "column": label}})
    report.errors.sort(key=lambda error: (error["row"] is not None, error["row"] or 0))
