"""The suite's one outbound fetcher: resources for quality/ and viz/, partner feeds for dcat/.

Every request goes to an address checked beforehand, and to nothing else:

- the URL's host is resolved once (through ``Limits.resolver``); every
  address it resolves to is checked: loopback, private, link-local, reserved,
  multicast and unspecified addresses are refused, and so are IPv6 addresses
  that embed such an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated,
  NAT64, 6to4, Teredo);
- the connection is opened to the checked address itself (an urllib3 pool
  per address, the URL's host sent as the Host header and, for https, as the
  TLS server name whose certificate must match), so a second resolution
  answering something else (DNS rebinding) is never made;
- no proxy of the environment is used (urllib3 reads none);
- every redirect hop is checked the same way; sizes and times are capped.

``Limits.allow_private`` turns the address check off (test set-ups, intranets);
``Limits.allowed_networks`` lets a few networks through.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3

from .errors import TabularError, _

CHUNK = 1 << 16
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = "ckanext-quebec"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes whose last 32 bits are an IPv4 address (IPv4-mapped is ipv4_mapped).
_COMPATIBLE = ipaddress.ip_network("::/96")            # IPv4-compatible (deprecated)
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated (SIIT)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` as the system resolves them, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


@dataclass
class Limits:
    """How far a fetch may go.

    ``allow_private`` lets URLs reach any address; ``allowed_networks`` (CIDR
    texts) lets only those through. ``resolver(host, port)`` gives a host's
    addresses: it is called once per request, and the request goes to what
    it answered. ``ca_certs``: a CA bundle for https (certifi's by default).
    """

    max_bytes: int = 1 << 30
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 600.0
    max_redirects: int = 5
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    resolver: Callable[[str, int], list[str]] = system_resolver
    ca_certs: Optional[str] = None


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


@dataclass
class _Target:
    """A checked URL: where to connect (``addresses``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    host_header: str
    addresses: list[str]


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, translated, NAT64, 6to4, Teredo)."""
    if address.version == 4:
        return []
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address.teredo:
        found.extend(address.teredo)
    if any(address in network for network in (_COMPATIBLE, _TRANSLATED, *_NAT64)):
        found.append(ipaddress.IPv4Address(address.packed[-4:]))
    return found


def _refused(address: IPAddress) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified
            or not address.is_global)


def address_refused(address: IPAddress) -> bool:
    """Whether ``address`` or an IPv4 address it embeds is not a public unicast address.

    A NAT64 address is judged by its IPv4 address alone (its prefix is in
    IPv6's reserved block, yet it is how IPv6-only hosts reach the IPv4 Internet).
    """
    inner = embedded_ipv4(address)
    if any(address in network for network in _NAT64):
        return any(_refused(a) for a in inner)
    return _refused(address) or any(_refused(a) for a in inner)


def _allowed(address: IPAddress, limits: Limits) -> bool:
    if limits.allow_private:
        return True
    if any(address in ipaddress.ip_network(network, strict=False)
           for network in limits.allowed_networks):
        return True
    return not address_refused(address)


def _refuse(url: str) -> TabularError:
    return TabularError("url-refused", _("Only http and https URLs can be checked: %(url)s"), url=url)


def _target(url: str, limits: Limits) -> _Target:
    """``url`` resolved and checked: every address of its host must be allowed.

    :raises TabularError: ``url-refused``, ``url-unreachable``
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname
    except ValueError:
        raise _refuse(url)
    if parts.scheme not in ("http", "https") or not host:
        raise _refuse(url)
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
        addresses = limits.resolver(ascii_host, port)
    except (OSError, UnicodeError):
        raise TabularError("url-unreachable", _("The host name %(host)s cannot be resolved"),
                           host=host)
    if not addresses:
        raise TabularError("url-unreachable", _("The host name %(host)s cannot be resolved"),
                           host=host)
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address), limits):
            raise TabularError(
                "url-refused",
                _("The address of %(host)s is on a private or reserved network; it is not fetched"),
                host=host)
    shown = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    return _Target(scheme=parts.scheme, host=ascii_host, port=port,
                   path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                   host_header=shown if parts.port is None else f"{shown}:{parts.port}",
                   addresses=addresses)


def check_address(url: str, allow_private: bool = False) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to a loopback, private or reserved address.

    :raises TabularError: ``url-refused``, ``url-unreachable``
    """
    _target(url, Limits(allow_private=allow_private))


class Answer:
    """An open response and the connection pool it came through; ``close()`` releases both."""

    def __init__(self, response: urllib3.HTTPResponse, pool: urllib3.HTTPConnectionPool):
        self.response = response
        self.pool = pool
        self.status = response.status
        self.headers = response.headers

    def stream(self, size: int = CHUNK) -> Iterator[bytes]:
        """The body in chunks, decompressed if it came with a Content-Encoding."""
        return self.response.stream(size, decode_content=True)

    def close(self) -> None:
        self.response.release_conn()
        self.response.close()
        self.pool.close()


def _pool(target: _Target, address: str, limits: Limits) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=limits.connect_timeout, read=limits.read_timeout)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, target.port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
            ca_certs=limits.ca_certs or certifi.where(), server_hostname=target.host,
            assert_hostname=target.host)
    return urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)


def _send(url: str, target: _Target, limits: Limits, method: str,
          headers: dict[str, str]) -> Answer:
    """``method`` sent to the first of the target's addresses that accepts a connection."""
    headers = {"User-Agent": USER_AGENT, **headers, "Host": target.host_header}
    error: Exception | None = None
    for address in target.addresses:
        pool = _pool(target, address, limits)
        try:
            response = pool.urlopen(method, target.path, headers=headers, redirect=False,
                                    retries=False, preload_content=False,
                                    assert_same_host=False, release_conn=False)
            return Answer(response, pool)
        except urllib3.exceptions.NewConnectionError as failed:
            pool.close()
            error = failed
        except urllib3.exceptions.TimeoutError:
            pool.close()
            raise TabularError("url-timeout", _("%(url)s did not answer in time"), url=url)
        except (urllib3.exceptions.HTTPError, OSError) as failed:
            pool.close()
            error = failed
            break
    raise TabularError("url-unreachable", _("%(url)s cannot be reached: %(reason)s"),
                       url=url, reason=type(error).__name__)


def request(url: str, limits: Limits, method: str = "GET",
            headers: Optional[dict[str, str]] = None) -> tuple[Response, Answer]:
    """Send ``method`` to ``url``, following at most ``limits.max_redirects`` redirects, each hop checked.

    :returns: the summary and the open response (close it)
    :raises TabularError: ``url-refused``, ``url-unreachable``, ``url-timeout``, ``too-many-redirects``
    """
    redirects: list[str] = []
    started = time.monotonic()
    while True:
        answer = _send(url, _target(url, limits), limits, method, headers or {})
        location = answer.headers.get("Location")
        if answer.status in REDIRECT_STATUSES and location:
            answer.close()
            if len(redirects) >= limits.max_redirects:
                raise TabularError("too-many-redirects",
                                   _("%(url)s redirects more than %(count)s times"),
                                   url=redirects[0] if redirects else url, count=limits.max_redirects)
            redirects.append(url)
            url = urljoin(url, location)
            if time.monotonic() - started > limits.total_timeout:
                raise TabularError("url-timeout", _("%(url)s did not answer in time"), url=url)
            continue
        length = answer.headers.get("Content-Length")
        summary = Response(
            url=url, status=answer.status,
            content_type=(answer.headers.get("Content-Type") or "").split(";")[0].strip() or None,
            content_length=int(length) if length and length.isdigit() else None,
            redirects=redirects, elapsed=time.monotonic() - started)
        return summary, answer


def _too_large(limits: Limits) -> TabularError:
    return TabularError("too-large", _("The file is larger than the %(limit)s MB that can be checked"),
                        limit=limits.max_bytes >> 20)


@contextlib.contextmanager
def opened(url: str, limits: Limits, headers: Optional[dict[str, str]] = None,
           ) -> Iterator[tuple[Response, Iterator[bytes]]]:
    """What ``url`` serves with a status below 400, as chunks within the size and time limits.

    ``Response.size`` is set once the chunks have all been read.

    :raises TabularError: the errors of ``request``, ``http-error``,
        ``too-large`` (more than ``limits.max_bytes``), ``url-timeout`` (the
        whole download took longer than ``limits.total_timeout``)
    """
    started = time.monotonic()
    summary, answer = request(url, limits, headers=headers)
    with contextlib.closing(answer):
        if summary.status >= 400:
            raise TabularError("http-error", _("%(url)s answered with HTTP status %(status)s"),
                               url=url, status=summary.status)
        if summary.content_length is not None and summary.content_length > limits.max_bytes:
            raise _too_large(limits)
        yield summary, _chunks(answer, summary, limits, started)


def _chunks(answer: Answer, summary: Response, limits: Limits, started: float) -> Iterator[bytes]:
    size = 0
    try:
        for chunk in answer.stream():
            size += len(chunk)
            if size > limits.max_bytes:
                raise _too_large(limits)
            if time.monotonic() - started > limits.total_timeout:
                raise TabularError("url-timeout", _("%(url)s did not answer in time"), url=summary.url)
            yield chunk
    except urllib3.exceptions.TimeoutError:
        raise TabularError("url-timeout", _("%(url)s did not answer in time"), url=summary.url)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise TabularError("url-unreachable", _("%(url)s cannot be reached: %(reason)s"),
                           url=summary.url, reason=type(error).__name__)
    summary.size = size
    summary.elapsed = time.monotonic() - started


def download(url: str, destination: str, limits: Limits) -> Response:
    """Write what ``url`` serves (decompressed if sent with a Content-Encoding) into ``destination``.

    :raises TabularError: the errors of ``opened``
    """
    with opened(url, limits) as (summary, body), open(destination, "wb") as out:
        for chunk in body:
            out.write(chunk)
    return summary


def read_bytes(url: str, limits: Limits, headers: Optional[dict[str, str]] = None,
               ) -> tuple[Response, bytes]:
    """What ``url`` serves, in memory (keep ``limits.max_bytes`` small).

    :raises TabularError: the errors of ``opened``
    """
    with opened(url, limits, headers) as (summary, body):
        return summary, b"".join(body)


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
    from ckanext.quebec.compat_ckan import resource_upload_path

    return resource_upload_path(resource)


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
