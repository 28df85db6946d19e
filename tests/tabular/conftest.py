"""A local HTTP server on 127.0.0.1 serving fixed answers, for the reader's and the link checker's tests."""
from __future__ import annotations

import http.server
import threading
import time

import pytest


class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def _answer(self, with_body: bool):
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = route
        if callable(body):
            body = body(self)
            if body is None:
                return
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)


@pytest.fixture
def http_server():
    """(base URL, routes): set ``routes[path] = (status, headers, body)``; body may be a callable."""
    routes: dict = {}
    handler = type("RouteHandler", (Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


def hang(handler):
    """A body that never comes: the server sleeps longer than any test timeout."""
    time.sleep(5)
    return None
