"""Zipped Shapefiles: the first .shp of a ZIP archive (zip-bomb checked) and its CRS from the .prj."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

if TYPE_CHECKING:
    from ..builder import Builder

FORMATS = frozenset({"shp", "shapefile", "zip", "esri shapefile", "application/zip"})


def read(build: Builder, path: str, looked: tabular.Sniffed) -> tuple[list[dict], Optional[int]]:
    if looked.kind != "zip":
        raise TabularError("not-a-zip", _("A Shapefile is previewed from a ZIP archive"))
    return read_shapefile_zip(path, build.settings.max_download_bytes, build.directory)


def read_shapefile_zip(path: str, max_uncompressed: int,
                       scratch: str) -> tuple[list[dict], Optional[int]]:
    """The features of the first Shapefile in a ZIP archive (zip-bomb checked), and its CRS from the .prj.

    Its members are inflated into a folder under ``scratch``, removed after.
    """
    from ... import geo

    try:
        names = [member.filename for member in tabular.check_zip(path, max_uncompressed)]
    except TabularError as error:
        if error.code != "not-a-zip":
            raise
        raise TabularError("not-a-zip", _("A Shapefile is previewed from a ZIP archive"))
    if not any(name.lower().endswith(".shp") for name in names):
        raise TabularError("no-shapefile", _("The ZIP archive holds no Shapefile (.shp)"))
    return geo.shapefile_features(path, names, max_uncompressed, scratch)
