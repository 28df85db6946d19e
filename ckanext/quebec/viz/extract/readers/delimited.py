"""Delimited text (CSV, TSV, TXT), scanned by DuckDB: the sniffer's encoding and delimiter, rejected rows counted."""
from __future__ import annotations

import codecs
import os
from typing import TYPE_CHECKING

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

from ..common import literal

if TYPE_CHECKING:
    from ..builder import Builder

FORMATS = frozenset({"csv", "tsv", "txt", "text/csv"})


def read(build: Builder, path: str, looked: tabular.Sniffed) -> None:
    if looked.kind not in ("csv",):
        raise TabularError("format-mismatch",
                           _("The resource says %(format)s but the file is %(kind)s"),
                           format=build.meta["format"].upper(), kind=looked.kind)
    source = path
    if looked.encoding != "utf-8":
        build.warn("not-utf8", _("The file is not in UTF-8 (line %(line)s); it was read as %(encoding)s"),
                   line=looked.invalid_utf8_line, encoding=looked.encoding)
        source = os.path.join(build.directory, ".utf8.csv")
        transcode(path, source, looked.encoding or "cp1252")
    delimiter = looked.delimiter or ","
    build.table.from_scan(
        f"read_csv({literal(source)}, delim={literal(delimiter)}, header=true,"
        " store_rejects=true, strict_mode=false, sample_size=20480)", csv_rejects=True)
    if source != path:
        os.remove(source)


def transcode(source: str, target: str, encoding: str) -> None:
    """Stream a text file into UTF-8 (bad bytes replaced), 1 MB at a time."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    with open(source, "rb") as inp, open(target, "w", encoding="utf-8", newline="") as out:
        while True:
            block = inp.read(1 << 20)
            out.write(decoder.decode(block, final=not block))
            if not block:
                break
