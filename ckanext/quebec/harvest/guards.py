"""What a harvest source may make the portal fetch and parse.

ckanext-dcat's harvester reads local paths as well as URLs, follows redirects
anywhere, waits without a time limit and follows hydra pages without end.
Here a source is read only over http(s), through the suite's fetcher
(tabular/fetch.py): public addresses only (every redirect checked, and the
connection made to the address checked), within the import's size cap and
time limit for the whole download, at most the import's number of pages a
job; its documents pass reading.py's checks (no DOCTYPE or entities in
RDF/XML, no remote JSON-LD context, parsed without error) before ckanext-dcat
parses them. Why a source is refused is written in no language (messages.py).

A document given in the process itself (the API's ``data``, the command
line's file: imports.py) is answered from memory under its own URL, only to
the job run by that process (``given``).
"""
from __future__ import annotations

import contextlib
import contextvars
import http
import threading
from typing import Any, Iterator
from urllib.parse import urlparse

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ckanext.quebec import tabular
from ckanext.quebec.dcat import config

from . import messages, reading
from .language import mark as _

# {url: (bytes, media type)} of the documents given to this process's job.
_GIVEN: contextvars.ContextVar[dict[str, tuple[bytes, str]]] = contextvars.ContextVar(
    "quebec_harvest_given", default={})
_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9"
# This thread's job and the pages it read; the media type of its last download.
_state = threading.local()


@contextlib.contextmanager
def given(url: str, body: bytes, media_type: str) -> Iterator[None]:
    """While in this block, ``url`` is read from ``body`` in this thread, not from the network."""
    token = _GIVEN.set({**_GIVEN.get(), url: (body, media_type)})
    try:
        yield
    finally:
        _GIVEN.reset(token)


def _address_error(url: str) -> str | None:
    if url in _GIVEN.get():
        return None
    if urlparse(url).scheme not in ("http", "https"):
        return messages.neutral(_("Only http and https URLs can be imported: {0}"), url)
    try:
        tabular.check_address(url, allow_private=config.import_allow_private_addresses())
    except tabular.TabularError as error:
        return messages.neutral(messages.of_error(error))
    return None


def _page_cap_error(job_id: str | None) -> str | None:
    """Counts the job's pages; the error once the job has read the import's number of pages."""
    if getattr(_state, "job", None) != job_id:
        _state.job, _state.count = job_id, 0
    _state.count += 1
    if _state.count > config.import_max_pages():
        return messages.neutral(_("page cap of {0} reached"), config.import_max_pages())
    return None


def before_download(url: str, harvest_job: Any = None) -> tuple[str | None, list[str]]:
    """The URL to read, or None and why it is not read."""
    error = _address_error(url) or _page_cap_error(getattr(harvest_job, "id", None))
    return (None, [error]) if error else (url, [])


def _limits() -> tabular.Limits:
    timeout = config.import_timeout()
    return tabular.Limits(max_bytes=config.import_max_bytes(), connect_timeout=timeout,
                          read_timeout=timeout, total_timeout=timeout,
                          allow_private=config.import_allow_private_addresses())


def _response(request: requests.PreparedRequest, status: int, body: bytes,
              media_type: str | None) -> requests.Response:
    response = requests.Response()
    response.status_code, response.url, response.request = status, request.url, request
    response.reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
    response.headers = CaseInsensitiveDict({"Content-Length": str(len(body))})
    if media_type:
        response.headers["Content-Type"] = media_type
    response._content, response._content_consumed = body, True
    response.encoding = "utf-8"
    _state.media_type = media_type
    return response


def _fetch_error(error: tabular.TabularError) -> requests.RequestException:
    if error.code == "too-large":
        return requests.exceptions.ConnectionError(messages.neutral(
            _("The feed is larger than {0} bytes"), config.import_max_bytes()))
    if error.code == "url-timeout":
        return requests.exceptions.ConnectionError(messages.neutral(
            _("The feed took more than {0} s to download"), config.import_timeout()))
    return requests.exceptions.ConnectionError(messages.neutral(messages.of_error(error)))


class _GuardedAdapter(BaseAdapter):
    """Every request (redirects included) through the suite's fetcher and its limits; no HEAD."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        error = _address_error(url)
        if error:
            raise requests.exceptions.ConnectionError(error, request=request)
        if request.method == "HEAD":  # ckanext-dcat then asks with GET: one download, not two
            return _response(request, 405, b"", None)
        if url in _GIVEN.get():
            return _response(request, 200, *_GIVEN.get()[url])
        headers = {key: value for key, value in request.headers.items()
                   if key in ("Accept", "Authorization", "User-Agent")}
        headers.setdefault("Accept", _ACCEPT)
        try:
            summary, body = tabular.read_bytes(url, _limits(), headers)
        except tabular.TabularError as failed:
            if failed.code == "http-error":
                return _response(request, int(failed.params["status"]), b"", None)
            raise _fetch_error(failed) from failed
        return _response(request, summary.status, body, summary.content_type)

    def close(self) -> None:
        pass


def guarded_session(session: requests.Session) -> requests.Session:
    adapter = _GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def after_download(content: str | None) -> tuple[str | None, list[str]]:
    """The content if safe to parse and readable as RDF; else nothing, and why."""
    if not content:
        return content, []
    try:
        reading.check_document(content.encode("utf-8"), getattr(_state, "media_type", None) or "")
    except reading.FeedRefused as error:
        return None, [messages.neutral(messages.of_error(error))]
    return content, []
