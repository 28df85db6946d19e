"""KML files: their placemarks as GeoJSON features (no DTD, no entities, no network), in degrees."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ckanext.quebec import tabular

if TYPE_CHECKING:
    from ..builder import Builder

FORMATS = frozenset({"kml", "application/vnd.google-earth.kml+xml"})


def read(build: Builder, path: str, looked: tabular.Sniffed) -> tuple[list[dict], Optional[int]]:
    from ... import geo

    return geo.kml_features(path), None
