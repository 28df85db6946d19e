"""JSON rows (an array of objects, or newline-delimited), scanned by DuckDB; a JSON file that is GeoJSON is read as such."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

from ..common import literal

if TYPE_CHECKING:
    from ..builder import Builder

FORMATS = frozenset({"json", "application/json"})


def read_as(path: str) -> Optional[str]:
    """``geojson`` when the file's first bytes show a GeoJSON feature or collection."""
    with open(path, "rb") as stream:
        head = stream.read(4096)
    return "geojson" if b'"FeatureCollection"' in head or b'"Feature"' in head else None


def read(build: Builder, path: str, looked: tabular.Sniffed) -> None:
    if looked.kind != "json":
        raise TabularError("format-mismatch",
                           _("The resource says %(format)s but the file is %(kind)s"),
                           format="JSON", kind=looked.kind)
    build.table.from_scan(f"read_json_auto({literal(path)}, maximum_object_size=16777216)")
