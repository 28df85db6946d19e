"""The suite's fetcher against real listeners: refused address forms, DNS rebinding, redirects, proxies, TLS.

Two listeners share a port: one on 127.0.0.2, let through by ``allowed_networks``
(the "public" server of these tests), one on 127.0.0.1, which must never be reached.
"""
from __future__ import annotations

import http.server
import ipaddress
import ssl
import subprocess
import threading

import pytest

from ckanext.quebec import tabular
from ckanext.quebec.tabular import TabularError

ALLOWED = ("127.0.0.2/32",)


class _Recorder(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    seen: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).seen.append((self.path, self.headers.get("Host")))
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(host: str, port: int, routes: dict, tls: ssl.SSLContext | None = None):
    handler = type("Recorder", (_Recorder,), {"routes": routes, "seen": []})
    server = http.server.ThreadingHTTPServer((host, port), handler)
    if tls:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


@pytest.fixture
def listeners():
    """(port, allowed routes, allowed's requests, loopback's requests, servers)."""
    allowed_routes: dict = {}
    public, public_handler = _serve("127.0.0.2", 0, allowed_routes)
    port = public.server_address[1]
    loopback, loopback_handler = _serve("127.0.0.1", port, {"/a": (200, {}, b"LOOPBACK")})
    yield port, allowed_routes, public_handler.seen, loopback_handler.seen
    for server in (public, loopback):
        server.shutdown()
        server.server_close()


class _Rebinding:
    """A resolver answering 127.0.0.2 (allowed) the first time, then 127.0.0.1."""

    def __init__(self):
        self.calls = 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return ["127.0.0.2"] if self.calls == 1 else ["127.0.0.1"]


@pytest.mark.parametrize("url", [
    "http://[::127.0.0.1]/", "http://[::ffff:0:7f00:1]/", "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/", "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::a00:1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[fe80::1]/", "http://[::]/",
    "http://0.0.0.0/", "http://100.64.0.1/", "http://224.0.0.1/", "http://[ff02::1]/",
])
def test_embedded_and_special_addresses_are_refused(url):
    with pytest.raises(TabularError) as error:
        tabular.check_address(url)
    assert error.value.code == "url-refused"


def test_embedded_ipv4_forms():
    def inner(text):
        return [str(a) for a in tabular.embedded_ipv4(ipaddress.ip_address(text))]

    assert inner("::ffff:0:7f00:1") == ["127.0.0.1"]
    assert inner("2002:7f00:1::") == ["127.0.0.1"]
    assert inner("64:ff9b::7f00:1") == ["127.0.0.1"]
    assert inner("2001:0:4136:e378:8000:63bf:3fff:fdd2") == ["65.54.227.120", "192.0.2.45"]
    # NAT64 of a public address is how IPv6-only hosts reach IPv4: let through.
    assert not tabular.address_refused(ipaddress.ip_address("64:ff9b::808:808"))
    assert tabular.address_refused(ipaddress.ip_address("64:ff9b::7f00:1"))


def test_every_resolved_address_is_checked():
    limits = tabular.Limits(resolver=lambda host, port: ["8.8.8.8", "127.0.0.1"])
    with pytest.raises(TabularError) as error:
        tabular.request("http://mixed.test/", limits)
    assert error.value.code == "url-refused"


def test_a_host_is_resolved_once_and_the_checked_address_is_the_one_reached(listeners):
    port, routes, public_seen, loopback_seen = listeners
    routes["/a"] = (200, {}, b"PUBLIC")
    resolver = _Rebinding()
    limits = tabular.Limits(allowed_networks=ALLOWED, resolver=resolver)
    response, body = tabular.read_bytes(f"http://rebind.test:{port}/a", limits)
    assert (response.status, body) == (200, b"PUBLIC")
    assert resolver.calls == 1
    assert public_seen == [("/a", f"rebind.test:{port}")]
    assert loopback_seen == []


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/a", "http://[::ffff:0:7f00:1]:{port}/a",
                                    "http://rebind.test:{port}/a", "file:///etc/hostname"])
def test_redirects_to_refused_addresses_are_refused(listeners, target):
    port, routes, public_seen, loopback_seen = listeners
    routes["/go"] = (302, {"Location": target.format(port=port)}, b"")
    limits = tabular.Limits(allowed_networks=ALLOWED, resolver=_Rebinding())
    with pytest.raises(TabularError) as error:
        tabular.read_bytes(f"http://rebind.test:{port}/go", limits)
    assert error.value.code == "url-refused"
    assert [path for path, _host in public_seen] == ["/go"]
    assert loopback_seen == []


def test_proxies_of_the_environment_are_not_used(listeners, monkeypatch):
    port, routes, public_seen, loopback_seen = listeners
    routes["/b"] = (200, {}, b"DIRECT")
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    limits = tabular.Limits(allowed_networks=ALLOWED)
    assert tabular.read_bytes(f"http://127.0.0.2:{port}/b", limits)[1] == b"DIRECT"
    assert loopback_seen == []


def test_sizes_are_capped_while_reading(listeners):
    port, routes, _public, _loopback = listeners
    routes["/big"] = (200, {}, b"x" * 5000)
    with pytest.raises(TabularError) as error:
        tabular.read_bytes(f"http://127.0.0.2:{port}/big",
                           tabular.Limits(allowed_networks=ALLOWED, max_bytes=100))
    assert error.value.code == "too-large"


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for feed.test: (certificate path, key path)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=feed.test", "-addext", "subjectAltName=DNS:feed.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


def test_https_goes_to_the_checked_address_with_the_host_name_verified(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server, handler = _serve("127.0.0.2", 0, {"/feed": (200, {}, b"TLS")}, tls=context)
    port = server.server_address[1]
    try:
        limits = tabular.Limits(allowed_networks=ALLOWED, ca_certs=cert,
                                resolver=lambda host, p: ["127.0.0.2"])
        assert tabular.read_bytes(f"https://feed.test:{port}/feed", limits)[1] == b"TLS"
        assert handler.seen == [("/feed", f"feed.test:{port}")]
        with pytest.raises(TabularError) as error:  # the certificate names feed.test only
            tabular.read_bytes(f"https://other.test:{port}/feed", limits)
        assert error.value.code == "url-unreachable"
    finally:
        server.shutdown()
        server.server_close()
