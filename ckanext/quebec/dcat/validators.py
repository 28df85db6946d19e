"""Validators of the catalogue actions' parameters (plain functions, no database)."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.dcat.utils import CONTENT_TYPES

# The last page a catalogue may be asked for: package_search's offset stays a small number.
MAX_PAGE = 100_000


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise tk.Invalid(tk._("Must be a string"))
    value = str(value)
    if "\x00" in value:
        raise tk.Invalid(tk._("Control characters are not allowed"))
    return value


def catalog_text(value: Any) -> str:
    """A search text (q, fq, id): a string without NUL characters."""
    return _text(value)


def catalog_page(value: Any) -> int:
    """A page number from 1 to MAX_PAGE (blank is the first page)."""
    text = _text(value).strip()
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise tk.Invalid(tk._("Must be a whole number from {low} to {high}").format(
            low=1, high=MAX_PAGE))
    return int(text)


def catalog_format(value: Any) -> str:
    """One of ckanext-dcat's formats (ttl, rdf, xml, n3, jsonld)."""
    text = _text(value)
    if text not in CONTENT_TYPES:
        raise tk.Invalid(tk._("Unknown format: {0}; use one of {1}").format(
            text, ", ".join(sorted(CONTENT_TYPES))))
    return text


def catalog_date(value: Any) -> str:
    """An ISO 8601 date or date and time, given back as ISO text that the search reads."""
    from dateutil.parser import isoparse

    text = _text(value).strip()
    try:
        parsed = isoparse(text)
    except (ValueError, OverflowError):
        raise tk.Invalid(tk._("Not an ISO 8601 date: {0}").format(text[:40]))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc)
    return parsed.replace(tzinfo=None).isoformat()


def catalog_profiles(value: Any) -> list[str]:
    """RDF profile names, as a list or separated by commas."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise tk.Invalid(tk._("Must be a list of strings"))
    return [_text(name).strip() for name in names]


def boolean(value: Any) -> bool:
    """true or false: a JSON boolean or text CKAN reads as one (CKAN 2.11's boolean_validator
    fails on anything else with a 500)."""
    if isinstance(value, bool):
        return value
    try:
        return tk.asbool(_text(value))
    except (tk.Invalid, ValueError):
        raise tk.Invalid(tk._("Expected true or false"))
