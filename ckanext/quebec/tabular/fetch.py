"""Getting a resource's bytes as a local file: uploads from CKAN's storage, URLs through a guarded download."""
from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from typing import Iterator, Optional
from urllib.parse import urljoin, urlsplit

import requests

from .errors import TabularError, _

CHUNK = 1 << 16
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass
class Limits:
    """How far a download may go. ``allow_private`` lets URLs reach loopback and private networks."""

    max_bytes: int = 1 << 30
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 600.0
    max_redirects: int = 5
    allow_private: bool = False


@dataclass
class Response:
    """What a URL answered: final URL, status, headers kept, bytes read, elapsed seconds."""

    url: str
    status: int
    content_type: Optional[str] = None
    content_length: Optional[int] = None
    redirects: list[str] = field(default_factory=list)
    size: Optional[int] = None
    elapsed: float = 0.0


def check_address(url: str, allow_private: bool = False) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to a loopback, private or reserved address.

    Called before every request and every redirect hop, so the portal cannot be
    used to probe its own network.

    :raises TabularError: ``url-refused``
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TabularError("url-refused", _("Only http and https URLs can be checked: %(url)s"), url=url)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise TabularError("url-unreachable", _("The host name %(host)s cannot be resolved"),
                           host=parts.hostname)
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise TabularError(
                "url-refused",
                _("The address of %(host)s is on a private or reserved network; it is not fetched"),
                host=parts.hostname)


def request(url: str, limits: Limits, method: str = "GET") -> tuple[Response, requests.Response]:
    """Send ``method`` to ``url``, following at most ``limits.max_redirects`` redirects, each hop checked.

    :returns: the summary and the open streamed ``requests`` response (close it)
    :raises TabularError: ``url-refused``, ``url-unreachable``, ``too-many-redirects``
    """
    redirects: list[str] = []
    started = time.monotonic()
    with requests.Session() as session:
        session.trust_env = False
        while True:
            check_address(url, limits.allow_private)
            try:
                answer = session.request(method, url, stream=True, allow_redirects=False,
                                         timeout=(limits.connect_timeout, limits.read_timeout),
                                         headers={"User-Agent": "ckanext-quebec quality checker"})
            except requests.Timeout:
                raise TabularError("url-timeout", _("%(url)s did not answer in time"), url=url)
            except requests.RequestException as error:
                raise TabularError("url-unreachable", _("%(url)s cannot be reached: %(reason)s"),
                                   url=url, reason=type(error).__name__)
            if answer.status_code in REDIRECT_STATUSES and answer.headers.get("Location"):
                answer.close()
                if len(redirects) >= limits.max_redirects:
                    raise TabularError("too-many-redirects",
                                       _("%(url)s redirects more than %(count)s times"),
                                       url=redirects[0] if redirects else url, count=limits.max_redirects)
                redirects.append(url)
                url = urljoin(url, answer.headers["Location"])
                continue
            length = answer.headers.get("Content-Length")
            summary = Response(
                url=url, status=answer.status_code,
                content_type=(answer.headers.get("Content-Type") or "").split(";")[0].strip() or None,
                content_length=int(length) if length and length.isdigit() else None,
                redirects=redirects, elapsed=time.monotonic() - started)
            return summary, answer


def download(url: str, destination: str, limits: Limits) -> Response:
    """Write what ``url`` serves (decompressed if sent with a Content-Encoding) into ``destination``.

    :raises TabularError: the errors of ``request``, ``http-error``,
        ``too-large`` (more than ``limits.max_bytes``), ``url-timeout`` (the
        whole download took longer than ``limits.total_timeout``)
    """
    started = time.monotonic()
    summary, answer = request(url, limits)
    with contextlib.closing(answer):
        if summary.status >= 400:
            raise TabularError("http-error", _("%(url)s answered with HTTP status %(status)s"),
                               url=url, status=summary.status)
        if summary.content_length is not None and summary.content_length > limits.max_bytes:
            raise TabularError("too-large", _("The file is larger than the %(limit)s MB that can be checked"),
                               limit=limits.max_bytes >> 20)
        size = 0
        try:
            with open(destination, "wb") as out:
                for chunk in answer.raw.stream(CHUNK, decode_content=True):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise TabularError("too-large",
                                           _("The file is larger than the %(limit)s MB that can be checked"),
                                           limit=limits.max_bytes >> 20)
                    if time.monotonic() - started > limits.total_timeout:
                        raise TabularError("url-timeout", _("%(url)s did not answer in time"), url=url)
                    out.write(chunk)
        except (requests.RequestException, OSError, ValueError) as error:
            if isinstance(error, TabularError):
                raise
            raise TabularError("url-unreachable", _("%(url)s cannot be reached: %(reason)s"),
                               url=url, reason=type(error).__name__)
    summary.size = size
    summary.elapsed = time.monotonic() - started
    return summary


@dataclass
class LocalFile:
    """A resource's data on the local disk; ``temporary`` files are removed when the context ends."""

    path: str
    size: int
    temporary: bool
    response: Optional[Response] = None


def uploaded_path(resource: dict) -> Optional[str]:
    """The storage path of an uploaded resource, or None for a link."""
    if resource.get("url_type") != "upload":
        return None
    from ckan.lib import uploader

    return uploader.get_resource_uploader(resource).get_path(resource["id"])


@contextlib.contextmanager
def open_resource(resource: dict, limits: Optional[Limits] = None) -> Iterator[LocalFile]:
    """The data of a resource dict as a local file: the upload itself, or the URL downloaded to a temp file.

    :raises TabularError: ``no-data`` (no file, no URL), ``too-large`` and the download errors
    """
    limits = limits or Limits()
    path = uploaded_path(resource)
    if path is not None:
        if not os.path.isfile(path):
            raise TabularError("no-data", _("The uploaded file of this resource is missing"))
        size = os.path.getsize(path)
        if size > limits.max_bytes:
            raise TabularError("too-large", _("The file is larger than the %(limit)s MB that can be checked"),
                               limit=limits.max_bytes >> 20)
        yield LocalFile(path=path, size=size, temporary=False)
        return
    url = (resource.get("url") or "").strip()
    if not url:
        raise TabularError("no-data", _("This resource has neither a file nor a URL"))
    handle, temp = tempfile.mkstemp(prefix="quebec-tabular-")
    os.close(handle)
    try:
        response = download(url, temp, limits)
        yield LocalFile(path=temp, size=response.size or 0, temporary=True, response=response)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp)
