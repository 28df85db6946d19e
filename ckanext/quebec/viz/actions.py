"""API actions of quebec_viz: a resource's preview (state, columns, statistics), its rows, chart series and map features.

With CKAN's datastore plugin, datastore_create, _upsert, _delete and
_records_delete are chained: a change to a resource's DataStore table queues
a new build of its preview.

The rows, chart and features actions are the views' data endpoint
(``GET /api/3/action/quebec_viz_rows?resource_id=...``): they answer from the
stored extract, never from the file, and only to those who may see the
resource.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, Schema

from . import jobs, query, storage, suitability, validators

__all__ = ["quebec_viz_preview_show", "quebec_viz_rows", "quebec_viz_chart_data",
           "quebec_viz_features", "quebec_viz_preview_build"]

MAX_PAGE = 1000
# DuckDB's OFFSET is a signed 64-bit number; no extract has anywhere near this many rows
MAX_OFFSET = 2 ** 31 - 1


def _resource(context: Context, resource_id: str) -> dict[str, Any]:
    return tk.get_action("resource_show")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj"),
         "ignore_auth": True}, {"id": resource_id})


def _active_resource_id(context: Context, resource_id: str) -> str:
    """The id of an active resource (auth has checked the caller may see it).

    The data endpoint answers pages in a few milliseconds: it reads the
    resource's row (the one auth loaded into the context, if any), not the
    whole dataset that resource_show builds.
    """
    resource = context.get("resource")
    if resource is None or resource_id not in (resource.id, getattr(resource, "name", None)):
        resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(tk._("Resource not found"))
    return resource.id


def _resource_id_schema() -> Schema:
    not_empty = tk.get_validator("not_empty")
    unicode_safe = tk.get_validator("unicode_safe")
    return {"resource_id": [not_empty, unicode_safe, validators.quebec_viz_plain_text]}


def _validated(data_dict: DataDict, schema: Schema, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _ready_meta(resource_id: str) -> dict[str, Any]:
    meta = storage.read_meta(resource_id)
    if meta is None or meta.get("state") != "ready":
        raise tk.ObjectNotFound(tk._("This resource has no preview to read from"))
    return meta


def preview_state(resource_id: str) -> dict[str, Any]:
    """The preview's state and meta: ``state`` is ready, error, pending or none."""
    meta = storage.read_meta(resource_id)
    pending = storage.is_pending(resource_id)
    if meta is None:
        return {"state": "pending" if pending else "none", "resource_id": resource_id}
    return dict(meta, pending=pending)


@tk.side_effect_free
def quebec_viz_preview_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The preview extract of a resource: its state, columns with types and statistics, caps and warnings.

    :param resource_id: the resource's id
    :type resource_id: string

    :returns: ``state`` (``ready``, ``error``, ``pending`` or ``none``),
        ``pending`` (a new build is queued), ``columns`` (name, type, kind,
        stats), ``rows_total``, ``rows_kept``, ``rows_capped``,
        ``columns_capped``, ``geo`` (features kept, bounding box, CRS read
        from), ``warnings`` and ``error`` (each ``code``, ``msgid``,
        ``params``) and ``default_chart``
    :rtype: dictionary
    """
    data = _validated(data_dict, _resource_id_schema(), context)
    tk.check_access("quebec_viz_preview_show", context, data)
    state = preview_state(_active_resource_id(context, data["resource_id"]))
    state["default_chart"] = suitability.default_chart(state)
    return state


def _rows_schema() -> Schema:
    ignore_empty = tk.get_validator("ignore_empty")
    unicode_safe = tk.get_validator("unicode_safe")
    one_of = tk.get_validator("one_of")
    plain = validators.quebec_viz_plain_text
    schema = _resource_id_schema()
    schema.update({
        "offset": [validators.quebec_viz_whole_number(0, MAX_OFFSET)],
        "limit": [validators.quebec_viz_whole_number(1, MAX_PAGE)],
        "sort": [ignore_empty, unicode_safe, plain],
        "order": [ignore_empty, one_of(["asc", "desc"])],
        "q": [ignore_empty, unicode_safe, plain],
    })
    return schema


@tk.side_effect_free
def quebec_viz_rows(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A page of a resource's preview rows, sorted and filtered.

    :param resource_id: the resource's id
    :type resource_id: string
    :param offset: rows to skip (optional, default 0)
    :type offset: int
    :param limit: rows to return, at most 1000 (optional, default 100)
    :type limit: int
    :param sort: a column of the preview to sort on (optional, default: file order)
    :type sort: string
    :param order: ``asc`` or ``desc`` (optional, default ``asc``)
    :type order: string
    :param q: text a row must contain in one of its cells, case-insensitive (optional)
    :type q: string

    :returns: ``total`` (rows matching), ``offset``, ``limit``, ``columns``
        (names), ``rows`` (each a list: the row number in the file, then the
        cells in column order)
    :rtype: dictionary
    """
    data = _validated(data_dict, _rows_schema(), context)
    tk.check_access("quebec_viz_rows", context, data)
    resource_id = _active_resource_id(context, data["resource_id"])
    meta = _ready_meta(resource_id)
    limit = data.get("limit", 100)
    names = [column["name"] for column in meta["columns"]]
    sort = data.get("sort")
    if sort and sort not in names:
        raise tk.ValidationError({"sort": [tk._("No column of this name: %(name)s") % {"name": sort}]})
    return query.rows(resource_id, meta, data.get("offset", 0), limit, sort,
                      data.get("order") == "desc", (data.get("q") or "").strip()[:200])


def _chart_schema() -> Schema:
    ignore_empty = tk.get_validator("ignore_empty")
    unicode_safe = tk.get_validator("unicode_safe")
    one_of = tk.get_validator("one_of")
    plain = validators.quebec_viz_plain_text
    schema = _resource_id_schema()
    schema.update({
        "chart_type": [ignore_empty, one_of(list(suitability.CHART_TYPES))],
        "x_column": [ignore_empty, unicode_safe, plain],
        "y_column": [ignore_empty, unicode_safe, plain],
        "aggregate": [ignore_empty, one_of(list(suitability.AGGREGATES))],
    })
    return schema


@tk.side_effect_free
def quebec_viz_chart_data(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The series of a chart of a resource's preview rows.

    Without settings, the default chart of the column types (a date and a
    number: a line; a category and a number: bars...).

    :param resource_id: the resource's id
    :type resource_id: string
    :param chart_type: ``bar``, ``line``, ``pie``, ``doughnut`` or ``scatter`` (optional)
    :type chart_type: string
    :param x_column: the column of the labels (categories, dates) or of x (optional)
    :type x_column: string
    :param y_column: the measured column; none: count rows (optional)
    :type y_column: string
    :param aggregate: ``sum``, ``mean`` or ``count`` per label (optional, default ``sum``)
    :type aggregate: string

    :returns: ``settings`` (the chart drawn), ``labels`` and ``values``, or
        ``points`` ([x, y] pairs) for a scatter; ``truncated`` when more
        labels or points exist than are returned
    :rtype: dictionary
    """
    data = _validated(data_dict, _chart_schema(), context)
    tk.check_access("quebec_viz_chart_data", context, data)
    resource_id = _active_resource_id(context, data["resource_id"])
    meta = _ready_meta(resource_id)
    names = {column["name"] for column in meta["columns"]}
    for field in ("x_column", "y_column"):
        if data.get(field) and data[field] not in names:
            raise tk.ValidationError({field: [tk._("No column of this name: %(name)s")
                                              % {"name": data[field]}]})
    settings = suitability.chart_settings(data, meta)
    if settings is None:
        raise tk.ValidationError({"x_column": [tk._("No chart can be drawn from these columns")]})
    errors = suitability.chart_errors(settings, meta)
    if errors:
        raise tk.ValidationError(errors)
    return dict(query.chart(resource_id, meta, settings), settings=settings)


@tk.side_effect_free
def quebec_viz_features(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The map features of a resource's preview, in EPSG:4326.

    :param resource_id: the resource's id
    :type resource_id: string

    :returns: a GeoJSON FeatureCollection; each feature's ``_row`` property
        is its row in the preview table
    :rtype: dictionary
    """
    data = _validated(data_dict, _resource_id_schema(), context)
    tk.check_access("quebec_viz_features", context, data)
    resource_id = _active_resource_id(context, data["resource_id"])
    _ready_meta(resource_id)
    return query.features(resource_id)


def quebec_viz_preview_build(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Queue a new build of a resource's preview extract (it is built on every change anyway).

    :param resource_id: the resource's id
    :type resource_id: string

    :returns: the preview's state (``pending`` once queued)
    :rtype: dictionary
    """
    data = _validated(data_dict, _resource_id_schema(), context)
    tk.check_access("quebec_viz_preview_build", context, data)
    resource = _resource(context, data["resource_id"])
    if not jobs.wanted(resource):
        raise tk.ValidationError({"resource_id": [
            tk._("Previews of %(format)s files are not available") % {"format": resource.get("format") or "?"}]})
    jobs.enqueue(resource)
    return preview_state(resource["id"])


def _rebuild_from_datastore(resource_id: Any) -> None:
    """After a change to a resource's DataStore table: queue a new build unless one is pending.

    CKAN 2.11 flips ``datastore_active`` without resource_update (no hook
    fires); a table's rows change with no hook at all.
    """
    if not resource_id or not isinstance(resource_id, str):
        return
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        return
    jobs.enqueue_if_needed(jobs.resource_dict(resource.id) or {})


@tk.chained_action
def _datastore_create(original_action, context: Context, data_dict: DataDict):
    result = original_action(context, data_dict)
    _rebuild_from_datastore((result or {}).get("resource_id") or data_dict.get("resource_id"))
    return result


@tk.chained_action
def _datastore_upsert(original_action, context: Context, data_dict: DataDict):
    resource_id = data_dict.get("resource_id")
    result = original_action(context, data_dict)
    _rebuild_from_datastore(resource_id)
    return result


@tk.chained_action
def _datastore_delete(original_action, context: Context, data_dict: DataDict):
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    result = original_action(context, data_dict)
    _rebuild_from_datastore(resource_id)
    return result


_DATASTORE_CHAINS = {"datastore_create": _datastore_create, "datastore_upsert": _datastore_upsert,
                     "datastore_delete": _datastore_delete,
                     "datastore_records_delete": _datastore_delete}


def get_actions() -> dict:
    found = {name: globals()[name] for name in __all__}
    if p.plugin_loaded("datastore"):
        found.update(_DATASTORE_CHAINS)
    return found
