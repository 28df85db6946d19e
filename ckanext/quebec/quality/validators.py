"""Validators of the quebec_quality actions' parameters (also used by the auth functions before any lookup)."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model


def _has_control_characters(value: str) -> bool:
    # PostgreSQL refuses a NUL in any text: a 500 had it reached a query
    return any(ord(character) < 32 or ord(character) == 127 for character in value)


def dataset_reference(value: Any) -> str:
    """A dataset's id or name: text (or a number, taken as its text) of at most a name's length, no control character."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise tk.Invalid(tk._("Expected a dataset id or name"))
    if len(value) > model.PACKAGE_NAME_MAX_LENGTH or _has_control_characters(value):
        raise tk.Invalid(tk._("No dataset has this id or name"))
    return value.strip()


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    try:
        return tk.asbool(value)
    except ValueError:
        raise tk.Invalid(tk._("Expected true or false"))


def iso_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Expected a date as YYYY-MM-DD"))


def text(length: int):
    """A validator: text of 1 to ``length`` characters without control characters, stripped."""
    def validator(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise tk.Invalid(tk._("Missing value"))
        if len(value) > length:
            raise tk.Invalid(tk._("At most %(count)s characters") % {"count": length})
        if _has_control_characters(value):
            raise tk.Invalid(tk._("Control characters are not allowed"))
        return value.strip()
    return validator
