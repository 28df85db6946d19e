"""Québec's extent, defined once: the ``bbox`` of the province's entry in schemas/vocabularies/territories.yaml.

Everything that asks "is this in Québec?" derives from it: the dataset
extent validator (degrees, EPSG:4326), the quality check of GeoJSON files in
Québec Lambert (EPSG:32198) and the preview's detection of Lambert
coordinate columns. The projected bounds are the envelope of the box's
edges projected to EPSG:32198 (densified, as the edges curve once
projected), so a point inside the geographic box is always inside them.
Imports no CKAN: the preview's build process uses it.
"""
from __future__ import annotations

import functools
from typing import Optional

from . import vocabularies

# NAD83 / Québec Lambert, the projected system the portal accepts beside EPSG:4326
QUEBEC_LAMBERT = 32198
# the territories.yaml entry whose bbox is the province's extent
PROVINCE = "quebec"
# points per edge when projecting the box: enough for metre precision
_DENSIFY = 101

Bounds = tuple[float, float, float, float]


@functools.cache
def geographic() -> Bounds:
    """Québec's (west, south, east, north) in degrees, EPSG:4326."""
    entry = vocabularies.entry("territories", PROVINCE)
    if entry is None or "bbox" not in entry:
        raise vocabularies.VocabularyError(
            f"schemas/vocabularies/territories.yaml: the entry {PROVINCE!r} needs a bbox (Québec's extent)")
    west, south, east, north = entry["bbox"]
    return float(west), float(south), float(east), float(north)


@functools.cache
def lambert() -> Bounds:
    """Québec's (min x, min y, max x, max y) in metres, EPSG:32198, derived from :func:`geographic`."""
    from pyproj import Transformer

    transformer = Transformer.from_crs(4326, QUEBEC_LAMBERT, always_xy=True)
    return tuple(transformer.transform_bounds(*geographic(), densify_pts=_DENSIFY))


def _within(bounds: Bounds, min_x: float, min_y: float, max_x: float, max_y: float) -> bool:
    west, south, east, north = bounds
    return west <= min_x and max_x <= east and south <= min_y and max_y <= north


def contains_degrees(longitude: float, latitude: float) -> bool:
    """Whether a longitude and latitude (EPSG:4326) lie in Québec's extent."""
    return _within(geographic(), longitude, latitude, longitude, latitude)


def contains_lambert(min_x: float, min_y: float, max_x: Optional[float] = None,
                     max_y: Optional[float] = None) -> bool:
    """Whether a point, or a box (its bounds), in EPSG:32198 lies in Québec's projected bounds."""
    max_x = min_x if max_x is None else max_x
    max_y = min_y if max_y is None else max_y
    return _within(lambert(), min_x, min_y, max_x, max_y)
