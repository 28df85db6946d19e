"""What a harvest source may make the portal fetch and parse: the rules of the suite's DCAT import.

ckanext-dcat's harvester reads local paths as well as URLs, follows redirects
anywhere and waits without a time limit. Here a source is read only over
http(s), from public addresses (every redirect checked), within the import's
time limit, and its documents pass the import's safe-parsing check (no
DOCTYPE or entities in RDF/XML, no remote JSON-LD context) before rdflib
sees them. Why a source is refused is written in no language (messages.py).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter

from ckanext.quebec import tabular
from ckanext.quebec.dcat import config, importer

from . import messages
from .language import mark as _


def _address_error(url: str) -> str | None:
    if urlparse(url).scheme not in ("http", "https"):
        return messages.neutral(_("Only http and https URLs can be imported: {0}"), url)
    try:
        tabular.check_address(url, allow_private=config.import_allow_private_addresses())
    except tabular.TabularError as error:
        return messages.neutral(messages.of_error(error))
    return None


def before_download(url: str) -> tuple[str | None, list[str]]:
    """The URL to read, or None and why it is not read."""
    error = _address_error(url)
    return (None, [error]) if error else (url, [])


class _GuardedAdapter(HTTPAdapter):
    """Every request (redirects included) goes to a public address, with the import's time limit."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        error = _address_error(request.url or "")
        if error:
            raise requests.exceptions.ConnectionError(error, request=request)
        if not kwargs.get("timeout"):
            kwargs["timeout"] = config.import_timeout()
        return super().send(request, **kwargs)


def guarded_session(session: requests.Session) -> requests.Session:
    adapter = _GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 5
    return session


def after_download(content: str | None) -> tuple[str | None, list[str]]:
    """The content if safe to parse; else nothing, and why."""
    if not content:
        return content, []
    data = content.encode("utf-8")
    try:
        importer.check_safe(data, importer.guess_format(data, ""))
    except importer.FeedRefused as error:
        return None, [messages.neutral(messages.of_error(error))]
    return content, []
