"""What a file really is: its kind (CSV, HTML, XLSX, JSON, binary), encoding, delimiter and header."""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from typing import Optional

from .errors import TabularError, _

SAMPLE = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
UTF8_BOM = codecs.BOM_UTF8

# Format names (CKAN's resource format, lower-cased) of each kind of file.
FORMATS = {
    "csv": {"csv", "text/csv", "tsv", "txt"},
    "xlsx": {"xlsx", "xls", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "geojson": {"geojson", "application/geo+json", "json", "application/json"},
}


@dataclass
class Sniffed:
    """The kind of a file and, for text, how to read it.

    ``kind``: ``csv``, ``json``, ``xlsx``, ``zip``, ``html``, ``pdf``,
    ``binary`` or ``empty``. ``encoding``: ``utf-8`` (BOM or not),
    ``cp1252`` or ``latin-1``; ``invalid_utf8_line``: the 1-based line of
    the first byte that is not UTF-8, if any.
    """

    kind: str
    encoding: Optional[str] = None
    bom: bool = False
    delimiter: Optional[str] = None
    invalid_utf8_line: Optional[int] = None
    header: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def utf8(self) -> bool:
        return self.encoding == "utf-8"


def _kind(head: bytes) -> str:
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf")):
        return "compressed"
    if b"\x00" in head[:4096]:
        return "binary"
    text = head.lstrip(UTF8_BOM).lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
            text.startswith(b"<") and b"<html" in text[:2048]):
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    return "csv"


def check_utf8(path: str) -> Optional[int]:
    """The 1-based line of the first byte that is not UTF-8, or None when the whole file is UTF-8.

    Streams the file in 1 MB blocks through an incremental decoder.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 1
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                return lines + block.count(b"\n", 0, error.start)
            if not block:
                return None
            lines += block.count(b"\n")


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # Sniffer gives up on one-column files and irregular samples: take the
        # candidate found the same number of times on most lines.
        best, best_score = ",", 0
        for candidate in DELIMITERS:
            counts = [line.count(candidate) for line in lines]
            score = sum(1 for count in counts if count and count == counts[0])
            if score > best_score:
                best, best_score = candidate, score
        return best


def sniff(path: str, full_utf8_check: bool = True) -> Sniffed:
    """Look at a file: its kind from the first bytes, then for text its encoding, delimiter and header row.

    ``full_utf8_check`` streams the whole file to find the first non-UTF-8
    byte (a file may turn to cp1252 after a million clean lines).
    """
    import os

    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(SAMPLE)
    result = Sniffed(kind=_kind(head), size=size)
    if result.kind not in ("csv", "json", "xml", "html"):
        return result
    result.bom = head.startswith(UTF8_BOM)
    body = head[len(UTF8_BOM):] if result.bom else head
    if full_utf8_check:
        result.invalid_utf8_line = check_utf8(path)
    else:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(body) - 4:  # not a character cut by the sample's end
                result.invalid_utf8_line = 1 + body.count(b"\n", 0, error.start)
    if result.invalid_utf8_line is None:
        result.encoding = "utf-8"
        text = body.decode("utf-8", errors="ignore")
    else:
        # cp1252 is a superset of latin-1's printable range; bytes it leaves
        # undefined (0x81, 0x8d...) only decode as latin-1.
        try:
            text = body.decode("cp1252")
            result.encoding = "cp1252"
        except UnicodeDecodeError:
            text = body.decode("latin-1")
            result.encoding = "latin-1"
    if result.kind == "csv":
        # Cut the sample at its last full line.
        if len(head) == SAMPLE and "\n" in text:
            text = text[:text.rindex("\n")]
        result.delimiter = _delimiter(text)
        rows = csv.reader(io.StringIO(text), delimiter=result.delimiter)
        result.header = next(rows, [])
    return result


def check_format(sniffed: Sniffed, declared_format: str) -> None:
    """Refuse a file whose bytes are not what its resource format says.

    :raises TabularError: ``html-instead-of-data``, ``empty-file`` or ``format-mismatch``
    """
    declared = (declared_format or "").strip().lower().lstrip(".")
    if sniffed.kind == "empty":
        raise TabularError("empty-file", _("The file is empty"))
    if sniffed.kind == "html":
        raise TabularError("html-instead-of-data",
                           _("The file is an HTML page, not %(format)s data (a web page instead of the file?)"),
                           format=declared.upper() or "tabular")
    expected = {"csv": ("csv",), "xlsx": ("zip",), "geojson": ("json",)}
    for kind, names in FORMATS.items():
        if declared in names and sniffed.kind not in expected[kind]:
            raise TabularError("format-mismatch",
                               _("The resource says %(format)s but the file is %(kind)s"),
                               format=declared.upper(), kind=sniffed.kind)
