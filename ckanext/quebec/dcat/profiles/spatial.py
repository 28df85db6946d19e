"""Where a dataset is: its territories (dct:Location) and its extent (locn:geometry, dcat:bbox)."""
from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

import ckan.plugins as p

from ckanext.dcat.profiles import DCAT, DCT, LOCN, RDF, SKOS

from ckanext.quebec.schema import jsonvalue

from .. import compat_dcat, config
from .base import _TranslatedLiterals, _extra, _list, _vocabulary_or_empty, note_unmapped

GSP_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")


def _wkt_polygon(west: float, south: float, east: float, north: float) -> str:
    """A bounding box as a WKT polygon, in shapely's order (so the same box reads the same)."""
    def number(value: float) -> str:
        return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(float(value))

    w, s, e, n = (number(v) for v in (west, south, east, north))
    return f"POLYGON (({e} {s}, {e} {n}, {w} {n}, {w} {s}, {e} {s}))"


def _geojson_bbox(value: Any) -> str | None:
    """The bounding box of a GeoJSON geometry (dict or text), as a WKT polygon."""
    value = jsonvalue.from_json(value, invalid=None)
    if not isinstance(value, dict):
        return None
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    if value.get("type") == "GeometryCollection":
        for geometry in value.get("geometries") or []:
            walk(geometry.get("coordinates") if isinstance(geometry, dict) else None)
    else:
        walk(value.get("coordinates"))
    if not xs:
        return None
    return _wkt_polygon(min(xs), min(ys), max(xs), max(ys))


def _territory_uri(entry: dict[str, Any]) -> str:
    """A territory's Wikidata entity, or its entry in the portal's vocabulary."""
    return entry.get("uri") or (
        f"{config.site_url()}/api/3/action/quebec_vocabulary_list?name=territories"
        f"#{entry['value']}"
    )


class SpatialMixin(_TranslatedLiterals):
    """Territories and extent, written and read back."""

    def _add_territories(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Each territory as a dct:Location: its URI, its names and its bounding box."""
        entries = {e["value"]: e for e in _vocabulary_or_empty("territories")}
        for value in _list(_extra(dataset_dict, "territories")):
            entry = entries.get(value)
            if not entry:
                continue
            self._add_location(dataset_ref, entry)

    def _add_location(self, subject: Node, entry: dict[str, Any]) -> None:
        """``subject`` dct:spatial a territory: its URI, its names and its bounding box."""
        location = URIRef(_territory_uri(entry))
        self.g.add((subject, DCT.spatial, location))
        self.g.add((location, RDF.type, DCT.Location))
        self._add_translated(location, SKOS.prefLabel, entry["label"])
        if entry.get("code"):
            self.g.add((location, DCT.identifier, Literal(str(entry["code"]))))
        if entry.get("bbox"):
            self.g.add((location, DCAT.bbox,
                        Literal(_wkt_polygon(*entry["bbox"]), datatype=GSP_WKT)))

    def _territories(self, dataset_ref: Node) -> list[str]:
        by_uri = {_territory_uri(e): e["value"] for e in _vocabulary_or_empty("territories")}
        return sorted(
            by_uri[str(location)] for location in self.g.objects(dataset_ref, DCT.spatial)
            if str(location) in by_uri
        )

    def _parse_extent(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """``spatial`` from the one location with a geometry, not from the territories'.

        The base profile merges every dct:spatial into spatial_* extras; the
        territories are read back on their own, so only the extent remains.
        """
        spatial_keys = ("spatial", "spatial_uri", "spatial_text", "spatial_bbox",
                        "spatial_centroid")
        dataset_dict["extras"] = [
            e for e in dataset_dict.get("extras") or [] if e["key"] not in spatial_keys
        ]
        for location in self.g.objects(dataset_ref, DCT.spatial):
            geometry = compat_dcat.parse_geodata(self, location, LOCN.geometry)
            if geometry:
                if p.plugin_loaded("quebec_schema"):
                    dataset_dict["spatial"] = geometry
                else:
                    dataset_dict["extras"].append({"key": "spatial", "value": geometry})
                return

    def _add_spatial(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """dcat:bbox (WKT) of the extent the base profile wrote as locn:geometry."""
        box = _geojson_bbox(_extra(dataset_dict, "spatial"))
        if not box:
            return
        for location in self.g.objects(dataset_ref, DCT.spatial):
            if (location, LOCN.geometry, None) in self.g and (location, DCAT.bbox, None) not in self.g:
                self.g.add((location, DCAT.bbox, Literal(box, datatype=GSP_WKT)))

    def _parse_spatial(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        territories = self._territories(dataset_ref)
        if territories:
            dataset_dict["territories"] = territories
        known = {_territory_uri(e) for e in _vocabulary_or_empty("territories")}
        for location in self.g.objects(dataset_ref, DCT.spatial):
            if (isinstance(location, URIRef) and str(location) not in known
                    and (location, LOCN.geometry, None) not in self.g):
                note_unmapped(dataset_dict, "territories", str(location))
        self._parse_extent(dataset_dict, dataset_ref)
