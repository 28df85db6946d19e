"""The readers of an extract by resource format: the one place where a format gets its reader.

Each family of formats has its module (delimited text, XLSX, JSON, GeoJSON
and WFS, KML, zipped Shapefile, the DataStore); :data:`READERS` below
registers each for its formats, and the builder dispatches through
:func:`for_format`. A format no reader claims cannot be previewed (unless
the resource's table is in the DataStore, which datastore.py reads).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

from . import delimited, geojson, json_rows, kml, shapefile, xlsx

TABLE = "table"      # rows: read(build, path, looked) fills the table; a map if columns hold coordinates
GEO = "geo"          # features: read(build, path, looked) -> (features, EPSG code or None)
SERVICE = "service"  # a map service shown as it is: nothing to read


@dataclasses.dataclass(frozen=True)
class Reader:
    """How one family of formats is read.

    ``full_utf8_check``: the sniffer reads the whole file for its encoding.
    ``read_as``: from the local file, the name of another reader to read it
    with (JSON that is GeoJSON), or None. ``remote_url``: the URL to fetch
    instead of the resource's, from it and the feature cap (a WFS
    GetFeature); such a format is always fetched, never read from an upload.
    """

    name: str
    formats: frozenset[str]
    kind: str
    read: Optional[Callable[..., Any]] = None
    full_utf8_check: bool = False
    read_as: Optional[Callable[[str], Optional[str]]] = None
    remote_url: Optional[Callable[[str, int], str]] = None


READERS = (
    Reader("delimited", delimited.FORMATS, TABLE, delimited.read, full_utf8_check=True),
    Reader("xlsx", xlsx.FORMATS, TABLE, xlsx.read),
    Reader("json", json_rows.FORMATS, TABLE, json_rows.read, read_as=json_rows.read_as),
    Reader("geojson", geojson.FORMATS, GEO, geojson.read),
    Reader("wfs", geojson.WFS_FORMATS, GEO, geojson.read, remote_url=geojson.wfs_feature_url),
    Reader("kml", kml.FORMATS, GEO, kml.read),
    Reader("shapefile", shapefile.FORMATS, GEO, shapefile.read),
    Reader("wms", frozenset({"wms"}), SERVICE),
)


def _by_format() -> dict[str, Reader]:
    found: dict[str, Reader] = {}
    for reader in READERS:
        for fmt in reader.formats:
            if fmt in found:
                raise RuntimeError(f"the format {fmt!r} has two readers: {found[fmt].name}, {reader.name}")
            found[fmt] = reader
    return found


_BY_FORMAT = _by_format()
_BY_NAME = {reader.name: reader for reader in READERS}


def for_format(fmt: str) -> Optional[Reader]:
    """The reader of a (lower-cased) CKAN format, or None."""
    return _BY_FORMAT.get(fmt)


def named(name: str) -> Reader:
    return _BY_NAME[name]
