"""Which views an extract supports, and the chart a resource gets by default."""
from __future__ import annotations

import re
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from . import extract

CHART_TYPES = ("bar", "line", "pie", "doughnut", "scatter")
AGGREGATES = ("sum", "mean", "count")
# A view's chart settings; a view with none of them gets the default chart.
CHART_FIELDS = ("chart_type", "x_column", "y_column", "aggregate")
# Text columns with more distinct values than this make unreadable bars.
MAX_CATEGORIES = 50


def suits(view_type: str, resource: dict, meta: Optional[dict]) -> bool:
    """Whether ``view_type`` has something to show for the resource's extract."""
    if view_type == "quebec_map" and extract.is_wms(resource):
        return True
    if not meta or meta.get("state") != "ready":
        return False
    if view_type == "quebec_table":
        return bool(meta.get("columns"))
    if view_type == "quebec_chart":
        return default_chart(meta) is not None
    if view_type == "quebec_map":
        return bool((meta.get("geo") or {}).get("features_kept"))
    return False


def _columns(meta: dict, *kinds: str) -> list[dict]:
    return [column for column in meta.get("columns") or () if column["kind"] in kinds]


def default_chart(meta: Optional[dict]) -> Optional[dict[str, Any]]:
    """The chart that fits the columns: a measure over time, else a count of rows by category.

    A number that names a thing (an identifier, a code, a coordinate) is never
    summed; a category with one row per value shows its measure as it is.

    :returns: ``chart_type``, ``x_column``, ``y_column`` (None: count rows)
        and ``aggregate``, or None when no chart makes sense
    """
    if not meta or meta.get("state") != "ready" or not meta.get("rows_kept"):
        return None
    measures = [column for column in _columns(meta, "number") if not _is_identifier(column, meta)]
    dates = _columns(meta, "date", "datetime")
    categories = [column for column in _columns(meta, "text", "boolean")
                  if 1 < column["stats"].get("distinct", 0) <= MAX_CATEGORIES]
    # names first, codes last: "region" labels a bar better than "code_region"
    categories.sort(key=lambda column: _is_identifier(column, meta))
    if dates and measures:
        return _chart("line", dates[0], measures[0])
    if categories and measures and categories[0]["stats"].get("distinct") == meta["rows_kept"]:
        return _chart("bar", categories[0], measures[0])
    if categories:
        return _chart("bar", categories[0], None)
    if dates:
        return _chart("line", dates[0], None)
    if len(measures) >= 2:
        return _chart("scatter", measures[0], measures[1])
    return None


def _chart(chart_type: str, x_column: dict, y_column: Optional[dict]) -> dict[str, Any]:
    return {"chart_type": chart_type, "x_column": x_column["name"],
            "y_column": y_column["name"] if y_column else None,
            "aggregate": "sum" if y_column else "count"}


def default_chart_description(chart: dict[str, Any]) -> str:
    """What the default chart shows, in the visitor's language, saying that it was chosen for them."""
    if chart["chart_type"] == "scatter":
        shown = tk._("%(y)s against %(x)s") % {"x": chart["x_column"], "y": chart["y_column"]}
    elif chart.get("y_column"):
        shown = tk._("the sum of %(y)s by %(x)s") % {"x": chart["x_column"], "y": chart["y_column"]}
    else:
        shown = tk._("the number of rows by %(x)s") % {"x": chart["x_column"]}
    return tk._("Chosen automatically from the file's columns: %(chart)s.") % {"chart": shown}


# Words of a column name that make its numbers names of things, not measures.
_IDENTIFIER_WORDS = {"id", "fid", "gid", "uid", "uuid", "objectid", "no", "num", "numero", "code",
                     "cle", "key", "matricule", "postal", "zip", "cp"}


def _is_identifier(column: dict, meta: dict) -> bool:
    """A column that is an identifier, a code or a coordinate, not a measure ("arbre_id", "no_civique")."""
    geo = meta.get("geo") or {}
    if column["name"] in (geo.get("latitude"), geo.get("longitude")):
        return True
    return bool(_IDENTIFIER_WORDS & set(re.split(r"[^a-z0-9]+", column["name"].lower())))


def chart_settings(view: dict, meta: Optional[dict]) -> Optional[dict[str, Any]]:
    """The view's saved chart settings, completed from the default; None when no chart can be drawn."""
    default = default_chart(meta)
    names = {column["name"] for column in (meta or {}).get("columns") or ()}
    chosen = {key: view.get(key) for key in CHART_FIELDS if view.get(key)}
    if not chosen:
        return default
    settings = dict(default or {"chart_type": "bar", "x_column": None, "y_column": None,
                                "aggregate": "count"})
    settings.update(chosen)
    if settings.get("x_column") not in names or (
            settings.get("y_column") and settings["y_column"] not in names):
        return default
    if not settings.get("y_column"):
        settings["aggregate"] = "count"
    return settings


def chart_errors(settings: dict, meta: dict) -> dict[str, list[str]]:
    """What stops ``settings`` from being drawn from the extract's column kinds, by field (empty: nothing).

    Sums and means are of numbers; a scatter plot's x and y are both numbers.
    """
    kinds = {column["name"]: column["kind"] for column in meta.get("columns") or ()}
    errors: dict[str, list[str]] = {}
    if settings.get("chart_type") == "scatter":
        for field in ("x_column", "y_column"):
            if kinds.get(settings.get(field)) != "number":
                errors[field] = [tk._("A scatter plot needs two columns of numbers")]
    elif settings.get("y_column") and settings.get("aggregate") != "count" \
            and kinds.get(settings["y_column"]) != "number":
        errors["y_column"] = [tk._("The values of a chart must be a column of numbers")]
    return errors
