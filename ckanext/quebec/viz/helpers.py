"""Template helpers of quebec_viz: a resource's preview state, its messages in the visitor's language, the views' settings."""
from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qsl, urlsplit

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from . import config, extract, storage, suitability

VIEW_TYPES = ("quebec_map", "quebec_chart", "quebec_table")


def quebec_viz_message(entry: Optional[dict]) -> str:
    """A warning or error recorded by the preview job, in the visitor's language."""
    if not entry:
        return ""
    text = tk._(entry.get("msgid") or "")
    params = entry.get("params") or {}
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text


def quebec_viz_preview(resource_id: str) -> dict[str, Any]:
    """The state of a resource's preview (see the action quebec_viz_preview_show)."""
    from .actions import preview_state

    return preview_state(resource_id)


def _labels() -> dict[str, str]:
    """The words the views' script shows, in the visitor's language."""
    _ = tk._
    return {
        "loading": _("Loading…"), "previous": _("Previous"), "next": _("Next"),
        "page": _("Rows %(first)s to %(last)s of %(total)s"),
        "noRows": _("No row matches"), "error": _("The data could not be loaded"),
        "sortAscending": _("sorted ascending"), "sortDescending": _("sorted descending"),
        "sortBy": _("Sort by %(column)s"), "row": _("Row"),
        "chartSummary": _("%(type)s chart of %(y)s by %(x)s: %(count)s values, from %(min)s to %(max)s."),
        "chartScatterSummary": _("Scatter plot of %(y)s against %(x)s: %(count)s points."),
        "count": _("Number of rows"), "sum": _("sum of %(column)s"),
        "mean": _("mean of %(column)s"),
        "bar": _("Bar"), "line": _("Line"), "pie": _("Pie"), "doughnut": _("Donut"),
        "scatter": _("Scatter"),
        "truncated": _("Only the largest values are shown."),
        "mapSummary": _("Map of %(count)s features. Their attributes are in the table of this resource."),
        "tilesFailed": _("The background map could not be loaded; the data is shown on a plain background."),
        "wmsFailed": _("The map service (WMS) did not answer; its layer cannot be shown."),
        "feature": _("Feature %(number)s"), "zoomTo": _("Show on the map"),
        "mapKeyboard": _("Map: use the arrow keys to pan, + and - to zoom; Tab reaches the features."),
        "zoomIn": _("Zoom in"), "zoomOut": _("Zoom out"), "closePopup": _("Close this popup"),
        "cluster": _("%(count)s features of “%(name)s”: zoom in to see them"),
        "clusterOf": _("%(count)s %(points)s: zoom in to see them"),
    }


def view_variables(view_type: str, resource: dict, view: dict) -> dict[str, Any]:
    """What a quebec view's template needs: the preview state and the script's settings."""
    preview = quebec_viz_preview(resource["id"])
    settings: dict[str, Any] = {
        "viewType": view_type, "resourceId": resource["id"],
        "api": tk.url_for("api.action", ver=3, logic_function="quebec_viz_rows").rsplit("/", 1)[0],
        "labels": _labels(),
        "columns": [{"name": column["name"], "kind": column["kind"]}
                    for column in preview.get("columns") or ()],
    }
    if view_type == "quebec_chart":
        chart = suitability.chart_settings(view, preview)
        # a saved view whose columns no longer fit (a new file): no chart, as with no settings
        settings["chart"] = chart if chart and not suitability.chart_errors(chart, preview) else None
        if settings["chart"] and not any(view.get(key) for key in suitability.CHART_FIELDS):
            settings["chart"]["automatic"] = True  # the template says it was chosen for the visitor
    if view_type == "quebec_map":
        settings["tiles"] = {"url": config.tile_url(), "attribution": config.tile_attribution(tk.h.lang())}
        settings["name"] = tk.h.resource_display_name(resource)
        # what the points are ("arbres", "trees"), when the view says so in the visitor's language
        settings["points"] = view.get(f"points_{tk.h.lang()}") or None
        settings["bbox"] = (preview.get("geo") or {}).get("bbox")
        if extract.is_wms(resource):
            settings["wms"] = _wms(resource, view)
    # the template writes the settings with |tojson, which escapes <, > and & for HTML
    return {"preview": preview, "viz_settings": settings,
            "view_type": view_type, "chart": settings.get("chart"),
            "is_wms": extract.is_wms(resource)}


def _wms(resource: dict, view: dict) -> dict[str, Any]:
    """The WMS endpoint (query string removed) and the layers to show."""
    parts = urlsplit(resource.get("url") or "")
    query = {key.lower(): value for key, value in parse_qsl(parts.query)}
    layers = view.get("wms_layers") or query.get("layers") or resource.get("wms_layer") or ""
    return {"url": parts._replace(query="", fragment="").geturl(), "layers": layers}


def quebec_viz_main_preview(pkg_dict: dict) -> Optional[dict[str, Any]]:
    """The preview of a dataset's first data resource that has one: resource, view type and variables.

    The map when the data has places, else the chart, else the table. A
    preview still being built, or that failed, is shown too: it says so.
    """
    for resource in pkg_dict.get("resources") or ():
        if not (extract.can_extract(resource) or extract.is_wms(resource)):
            continue
        if resource.get("resource_type") not in (None, "", "donnees", "cartes"):
            continue
        preview = quebec_viz_preview(resource["id"])
        if preview["state"] != "ready" and not extract.is_wms(resource):
            variables = view_variables("quebec_table", resource, {})
            variables["resource"] = resource
            return variables
        for view_type in VIEW_TYPES:
            if p.plugin_loaded(f"{view_type}_view") and suitability.suits(view_type, resource, preview):
                variables = view_variables(view_type, resource, _saved_view(resource["id"], view_type))
                variables["resource"] = resource
                return variables
    return None


def _saved_view(resource_id: str, view_type: str) -> dict[str, Any]:
    """The settings of the resource's first view of ``view_type`` ({} when it has none)."""
    view = model.Session.query(model.ResourceView).filter_by(
        resource_id=resource_id, view_type=view_type).order_by(model.ResourceView.order).first()
    return dict(view.config or {}) if view is not None else {}


def quebec_viz_column_choices(resource_id: str) -> list[dict[str, str]]:
    """The preview's columns as form choices (value, text with the kind)."""
    meta = storage.read_meta(resource_id) or {}
    return [{"value": column["name"], "text": column["name"]} for column in meta.get("columns") or ()]


def quebec_viz_chart_choices() -> list[dict[str, str]]:
    labels = _labels()
    return [{"value": kind, "text": labels[kind]} for kind in suitability.CHART_TYPES]


def quebec_viz_aggregate_choices() -> list[dict[str, str]]:
    return [{"value": "sum", "text": tk._("Sum")}, {"value": "mean", "text": tk._("Mean")},
            {"value": "count", "text": tk._("Count of rows")}]


def quebec_viz_chart_description(chart: dict) -> str:
    """What a chart chosen from the file's columns shows, saying it was chosen automatically."""
    return suitability.default_chart_description(chart)


def quebec_viz_kind_label(kind: str) -> str:
    """A column kind (number, date, datetime, boolean, text) in the visitor's language."""
    labels = {"number": tk._("number"), "date": tk._("date"), "datetime": tk._("date and time"),
              "boolean": tk._("yes/no"), "text": tk._("text")}
    return labels.get(kind, kind)


def get_helpers() -> dict:
    return {
        "quebec_viz_kind_label": quebec_viz_kind_label,
        "quebec_viz_message": quebec_viz_message,
        "quebec_viz_preview": quebec_viz_preview,
        "quebec_viz_main_preview": quebec_viz_main_preview,
        "quebec_viz_column_choices": quebec_viz_column_choices,
        "quebec_viz_chart_choices": quebec_viz_chart_choices,
        "quebec_viz_aggregate_choices": quebec_viz_aggregate_choices,
        "quebec_viz_chart_description": quebec_viz_chart_description,
    }
