"""Resource URLs CKAN core can read back: its uploader and its dictization parse them.

Core parses each resource's url before validating it (the uploader's
urlparse) and shows a url without a scheme as ``http://`` + url; a url that
either parse refuses (``http://[broken``, ``[broken``) was a 500 then, and
for every later write of the dataset.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk


def problem(url: Any) -> str | None:
    """Why core could not read ``url`` back (a translated message), or None."""
    if url is None or url is tk.missing or url == "":
        return None
    if not isinstance(url, str):
        return tk._("Expecting a text")
    try:
        if not urlsplit(url).scheme:
            urlsplit("http://" + url.lstrip("/"))
    except ValueError:
        return tk._("Not a valid URL")
    return None


def quebec_resource_url(value: Any) -> Any:
    """A resource url (or an uploaded file's name) core can parse as it will show it."""
    message = problem(value)
    if message:
        raise tk.Invalid(message)
    return value
