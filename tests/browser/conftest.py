"""A live CKAN over HTTP and a headless Chromium to drive it.

The server runs the test app in a thread of the test process, so it shares the
test database, the plugins and the configuration set by the test's marks.
Chromium is Debian's (/usr/bin/chromium): Playwright's own browser download
cannot work on these machines.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(app, ckan_config, monkeypatch):
    """Base URL of the test app served over HTTP on 127.0.0.1."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    monkeypatch.setitem(ckan_config, "ckan.site_url", base_url)
    # the whole WSGI stack, middleware included (CKAN 2.11 sets the locale there)
    server = make_server("127.0.0.1", port, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-CA")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
