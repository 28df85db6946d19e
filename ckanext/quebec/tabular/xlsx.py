"""XLSX to CSV, streamed with openpyxl's read-only mode, after a zip-bomb check."""
from __future__ import annotations

import csv
import datetime
import zipfile

from .errors import TabularError, _

MAX_RATIO = 200


def check_zip(path: str, max_uncompressed: int) -> None:
    """Refuse a zip whose members would inflate beyond ``max_uncompressed`` bytes or ``MAX_RATIO`` times.

    :raises TabularError: ``not-xlsx``, ``zip-bomb``
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise TabularError("not-xlsx", _("The file is not a valid XLSX workbook"))
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    if total > max_uncompressed or total / compressed > MAX_RATIO:
        raise TabularError("zip-bomb", _("The workbook inflates to %(size)s MB; it is not opened"),
                           size=total >> 20)


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

    check_zip(path, max_uncompressed)
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
