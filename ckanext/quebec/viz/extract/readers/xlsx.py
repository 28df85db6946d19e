"""XLSX workbooks: the first sheet, streamed by openpyxl (zip-bomb checked), its cells typed from their values."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterator

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

if TYPE_CHECKING:
    from ..builder import Builder

log = logging.getLogger(__name__)

FORMATS = frozenset({"xlsx", "xlsm",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


def read(build: Builder, path: str, looked: tabular.Sniffed) -> None:
    if looked.kind != "zip":
        raise TabularError("format-mismatch",
                           _("The resource says %(format)s but the file is %(kind)s"),
                           format="XLSX", kind=looked.kind)
    build.table.from_python_rows(*read_xlsx(path, build.settings.max_download_bytes))


def read_xlsx(path: str, max_uncompressed: int) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows (blank rows left out) of the first sheet, streamed by openpyxl."""
    import openpyxl

    tabular.check_zip(path, max_uncompressed=max_uncompressed)
    try:
        # a file object: openpyxl refuses paths without an .xlsx extension
        workbook = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        log.info("openpyxl cannot open %s: %s", path, error)
        raise TabularError("unreadable", _("The file cannot be read as a table: it is not valid %(format)s"),
                           format="XLSX")
    values = workbook.worksheets[0].iter_rows(values_only=True)
    header = next(values, None)
    if header is None:
        workbook.close()
        raise TabularError("empty-file", _("The file is empty"))
    names = [str(cell) if cell is not None else f"column{index + 1}"
             for index, cell in enumerate(header)]

    def rows() -> Iterator[list[Any]]:
        try:
            for row in values:
                if any(cell is not None for cell in row):
                    yield list(row)
        finally:
            workbook.close()
    return names, rows()
