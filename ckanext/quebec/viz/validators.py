"""Validators of the chart and map views' settings."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from . import storage, suitability


def quebec_viz_extract_column(key: tuple, data: dict, errors: dict, context: Any) -> None:
    """The value names a column of the resource's preview extract (empty is allowed)."""
    value = data.get(key)
    if not value:
        return
    resource_id = data.get(("resource_id",))
    meta = storage.read_meta(resource_id) if resource_id else None
    if meta is None or meta.get("state") != "ready":
        return  # no extract yet: checked when the chart is drawn
    if value not in {column["name"] for column in meta.get("columns") or ()}:
        errors[key].append(tk._("No column of this name: %(name)s") % {"name": value})


def quebec_viz_plain_text(value: Any) -> Any:
    """Text without control characters (PostgreSQL refuses a NUL in a resource id: a 500)."""
    if isinstance(value, str) and any(ord(character) < 32 for character in value):
        raise tk.Invalid(tk._("Control characters are not allowed"))
    return value


def quebec_viz_whole_number(low: int, high: int):
    """A validator: a whole number from ``low`` to ``high``; blank is taken as not given."""
    int_validator = tk.get_validator("int_validator")

    def validator(key: tuple, data: dict, errors: dict, context: Any) -> None:
        value = data.get(key)
        if value is tk.missing or value is None or (isinstance(value, str) and not value.strip()):
            data.pop(key, None)
            raise tk.StopOnError
        try:
            number = int_validator(value, context)
        except tk.Invalid as error:
            errors[key].append(error.error)
            raise tk.StopOnError
        if isinstance(value, bool) or not low <= number <= high:
            errors[key].append(tk._("Must be a whole number from %(low)s to %(high)s")
                               % {"low": low, "high": high})
            raise tk.StopOnError
        data[key] = number
    return validator


def quebec_viz_layer_name(value: Any) -> Any:
    """A WMS layer name: letters, digits and ``_-:.,`` (several layers separated by commas)."""
    if value and not all(character.isalnum() or character in "_-:., " for character in value):
        raise tk.Invalid(tk._("A layer name holds only letters, digits and _-:.,"))
    return value


# What one point of a map is, in the plural ("arbres", "trees"): it names the clusters
POINTS_FIELDS = ("points_fr", "points_en")
POINTS_MAX_LENGTH = 60


def quebec_viz_points(value: Any) -> Any:
    """What a map's points are, in the plural: plain text of at most POINTS_MAX_LENGTH characters."""
    value = quebec_viz_plain_text(value)
    if isinstance(value, str) and len(value.strip()) > POINTS_MAX_LENGTH:
        raise tk.Invalid(tk._("At most %(count)s characters") % {"count": POINTS_MAX_LENGTH})
    return value.strip() if isinstance(value, str) else value


def _nested_refused() -> Schema:
    """A setting sent as a list of objects is an error: CKAN 2.11 would store its flattened keys and fail (500)."""
    return {"__junk": [tk.get_validator("empty")]}


def chart_view_schema() -> Schema:
    ignore_empty = tk.get_validator("ignore_empty")
    unicode_safe = tk.get_validator("unicode_safe")
    one_of = tk.get_validator("one_of")
    return {
        **_nested_refused(),
        "chart_type": [ignore_empty, one_of(list(suitability.CHART_TYPES))],
        "x_column": [ignore_empty, unicode_safe, quebec_viz_extract_column],
        "y_column": [ignore_empty, unicode_safe, quebec_viz_extract_column],
        "aggregate": [ignore_empty, one_of(list(suitability.AGGREGATES))],
    }


def map_view_schema() -> Schema:
    ignore_empty = tk.get_validator("ignore_empty")
    unicode_safe = tk.get_validator("unicode_safe")
    return {**_nested_refused(), "wms_layers": [ignore_empty, unicode_safe, quebec_viz_layer_name],
            **{name: [ignore_empty, unicode_safe, quebec_viz_points] for name in POINTS_FIELDS}}
