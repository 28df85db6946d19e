"""Which views an extract supports, and the chart a resource gets by default."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from . import extract

CHART_TYPES = ("bar", "line", "pie", "doughnut", "scatter")
AGGREGATES = ("sum", "mean", "count")
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
    """The chart that fits the column types: a date and a number give a line, a category and a number bars.

    :returns: ``chart_type``, ``x_column``, ``y_column`` (None: count rows)
        and ``aggregate``, or None when no chart makes sense
    """
    if not meta or meta.get("state") != "ready" or not meta.get("rows_kept"):
        return None
    numbers = [column for column in _columns(meta, "number")
               if not _is_identifier(column, meta)]
    dates = _columns(meta, "date", "datetime")
    categories = [column for column in _columns(meta, "text", "boolean")
                  if 1 < column["stats"].get("distinct", 0) <= MAX_CATEGORIES]
    # names first, codes last: "region" labels a bar better than "code_region"
    categories.sort(key=lambda column: _is_identifier(column, meta))
    if dates and numbers:
        return {"chart_type": "line", "x_column": dates[0]["name"],
                "y_column": numbers[0]["name"], "aggregate": "sum"}
    if categories and numbers:
        return {"chart_type": "bar", "x_column": categories[0]["name"],
                "y_column": numbers[0]["name"], "aggregate": "sum"}
    if categories:
        return {"chart_type": "bar", "x_column": categories[0]["name"],
                "y_column": None, "aggregate": "count"}
    if dates:
        return {"chart_type": "line", "x_column": dates[0]["name"],
                "y_column": None, "aggregate": "count"}
    if len(numbers) >= 2:
        return {"chart_type": "scatter", "x_column": numbers[0]["name"],
                "y_column": numbers[1]["name"], "aggregate": "sum"}
    return None


def _is_identifier(column: dict, meta: dict) -> bool:
    """A number column that is a code or a coordinate, not a measure."""
    name = column["name"].lower()
    geo = meta.get("geo") or {}
    if column["name"] in (geo.get("latitude"), geo.get("longitude")):
        return True
    return name in ("id", "_id", "fid", "objectid", "gid") or name.startswith(("code", "no_", "id_"))


def chart_settings(view: dict, meta: Optional[dict]) -> Optional[dict[str, Any]]:
    """The view's saved chart settings, completed from the default; None when no chart can be drawn."""
    default = default_chart(meta)
    names = {column["name"] for column in (meta or {}).get("columns") or ()}
    chosen = {key: view.get(key) for key in ("chart_type", "x_column", "y_column", "aggregate")
              if view.get(key)}
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
