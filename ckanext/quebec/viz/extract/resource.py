"""What the views and the preview job ask of a resource before any build: its format, its reader, its fingerprint."""
from __future__ import annotations

import datetime
from typing import Any, Optional

from . import readers

# What a preview is built from: a change to any of these calls for a new build.
FINGERPRINT_FIELDS = ("url", "url_type", "format", "size", "hash", "last_modified",
                      "datastore_active")


def resource_format(resource: dict) -> str:
    return (resource.get("format") or "").strip().lower().lstrip(".")


def reader_of(resource: dict) -> Optional[readers.Reader]:
    """The reader registered for the resource's declared format, or None."""
    return readers.for_format(resource_format(resource))


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def uses_datastore(resource: dict) -> bool:
    """Whether the preview is read from the resource's DataStore table rather than its file."""
    reader = reader_of(resource)
    # a geographic file or a map service holds what the table does not
    return _true(resource.get("datastore_active")) and (reader is None or reader.kind == readers.TABLE)


def can_extract(resource: dict) -> bool:
    """Whether the preview job can read this resource (its declared format, or its DataStore table)."""
    reader = reader_of(resource)
    return (reader is not None and reader.kind != readers.SERVICE) or uses_datastore(resource)


def is_wms(resource: dict) -> bool:
    reader = reader_of(resource)
    return reader is not None and reader.kind == readers.SERVICE


def fingerprint(resource: dict) -> dict[str, Any]:
    """What a preview is built from (file, format, DataStore): compared to tell when to rebuild.

    The same whether the resource comes from resource_show or from the
    validated dict package_update hands its plugins (an upload's URL is its
    file name there, and dates are datetimes).
    """
    found: dict[str, Any] = {}
    for name in FINGERPRINT_FIELDS:
        value = resource.get(name)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        found[name] = None if value in (None, "") else str(value)
    found["datastore_active"] = _true(resource.get("datastore_active"))
    found["format"] = resource_format(resource)
    if found["url_type"] == "upload" and found["url"]:
        found["url"] = found["url"].rstrip("/").rsplit("/", 1)[-1]
    elif found["url_type"] == "datastore":  # its URL is the DataStore's dump, shown or not
        found["url"] = None
    return found
