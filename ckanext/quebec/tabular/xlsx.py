"""XLSX to CSV, streamed with openpyxl's read-only mode, after a zip-bomb check."""
from __future__ import annotations

import csv
import datetime

from . import archive
from .errors import TabularError, _


def _check_workbook(path: str, max_uncompressed: int) -> None:
    """The workbook's zip-bomb check (archive.check_zip), a damaged one said as not a workbook.

    :raises TabularError: ``not-xlsx``, ``zip-bomb``
    """
    try:
        archive.check_zip(path, max_uncompressed)
    except TabularError as error:
        if error.code != "not-a-zip":
            raise
        raise TabularError("not-xlsx", _("The file is not a valid XLSX workbook"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep="T") if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_csv(path: str, destination: str, max_uncompressed: int = 1 << 30,
                max_rows: int = 5_000_000, sheet: int = 0) -> int:
    """Write the ``sheet``-th worksheet of the XLSX at ``path`` as a UTF-8, comma-separated CSV.

    :returns: the number of rows written (header included)
    :raises TabularError: ``not-xlsx``, ``zip-bomb``, ``too-many-rows``
    """
    import openpyxl

    _check_workbook(path, max_uncompressed)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken workbook
        raise TabularError("not-xlsx", _("The file is not a valid XLSX workbook"))
    try:
        worksheets = workbook.worksheets
        if sheet >= len(worksheets):
            raise TabularError("not-xlsx", _("The workbook has no worksheet"))
        written = 0
        with open(destination, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            for row in worksheets[sheet].iter_rows(values_only=True):
                written += 1
                if written > max_rows:
                    raise TabularError("too-many-rows", _("The worksheet has more than %(count)s rows"),
                                       count=max_rows)
                writer.writerow([_text(value) for value in row])
        return written
    finally:
        workbook.close()
