"""The suite's streaming reader of tabular and geographic files, shared by quality/ and viz/.

It imports nothing of the suite's features, so any concern can use it::

    from ckanext.quebec import tabular

    limits = tabular.Limits(max_bytes=1 << 30, allow_private=False)
    with tabular.open_resource(resource_dict, limits) as local:   # upload or URL → local file
        sniffed = tabular.sniff(local.path)                        # kind, encoding, delimiter, header
        tabular.check_format(sniffed, resource_dict.get("format")) # HTML page? not what it says?
        con = tabular.connect(memory_limit="256MB", threads=2)
        source = tabular.csv_source(con, local.path, sniffed)      # read_csv(...), all VARCHAR
        names = tabular.header_names(sniffed)
        stats = tabular.column_stats(con, source, names)           # type, count, nulls, distinct, min, max
        rows = tabular.head(con, source, 100)                      # first rows in file order

XLSX: ``tabular.xlsx_to_csv(path, csv_path)`` (zip-bomb check, read-only
streaming) then the CSV path as above. Any other ZIP: ``tabular.check_zip(path,
max_uncompressed)`` (declared sizes) then ``tabular.extract_members(...)``
(real bytes counted). GeoJSON: ``tabular.read_geojson(path,
max_bytes, max_features)``. URL checks without download:
``tabular.request(url, limits, "HEAD")``; ``tabular.check_address(url)``
refuses loopback and private networks unless ``allow_private``. The fetcher
(``fetch.py``) is the suite's only one: harvest/guards.py reads partner feeds
(every harvest's requests) through ``tabular.read_bytes``.

Every failure is a ``TabularError`` with a stable ``code`` and an English
``msgid`` of the suite's catalogue (``error.translated()`` in a request).
"""
from __future__ import annotations

from .duck import (PATTERNS, column_profiles, column_stats, connect, csv_source, head,
                   header_names, infer_type, quote_identifier)
from .errors import TabularError
from .fetch import (LocalFile, Limits, Response, address_refused, check_address, download,
                    embedded_ipv4, open_resource, opened, read_bytes, request, system_resolver,
                    uploaded_path)
from .geojson import GeoJSON, declared_crs, read_geojson
from .sniff import Sniffed, check_format, check_utf8, sniff
from .archive import check_zip, extract_members, read_capped
from .xlsx import xlsx_to_csv

__all__ = [
    "PATTERNS", "GeoJSON", "Limits", "LocalFile", "Response", "Sniffed", "TabularError",
    "address_refused", "check_address", "check_format", "check_utf8", "check_zip", "column_profiles", "column_stats",
    "connect", "csv_source", "declared_crs", "download", "head", "header_names", "infer_type",
    "embedded_ipv4", "extract_members", "open_resource", "opened", "quote_identifier", "read_bytes", "read_capped", "read_geojson",
    "request", "sniff", "system_resolver", "uploaded_path",
    "xlsx_to_csv",
]
