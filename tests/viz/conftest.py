"""Fixtures of the quebec_viz tests: the plugins, a real jobs worker, files served over local HTTP."""
from __future__ import annotations

import functools
import http.server
import io
import os
import threading

import pytest
from werkzeug.datastructures import FileStorage

from ckan.tests import helpers

VIZ_PLUGINS = "quebec_search quebec_viz quebec_table_view quebec_chart_view quebec_map_view"
DEMO_FILES = os.path.join(os.path.dirname(__file__), "..", "..", "ckanext", "quebec", "demo",
                          "data", "files")


def viz_marks(*extra):
    """The marks of a quebec_viz test module."""
    return [
        pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues"),
        pytest.mark.ckan_config("ckan.plugins", VIZ_PLUGINS),
        pytest.mark.ckan_config("ckanext.quebec.viz.allow_private_urls", "true"),
        *extra,
    ]


@pytest.fixture
def run_jobs():
    """Run the queued jobs in a real RQ worker (CKAN's, forking a work horse per job), then return."""
    from ckan.lib.jobs import Worker

    def run() -> None:
        Worker(["default"]).work(burst=True)

    return run


@pytest.fixture
def upload():
    """Create a resource from bytes (or a demo file), uploaded to CKAN's storage."""
    def create(dataset_id: str, filename: str, content: bytes | None = None, fmt: str = "CSV",
               **fields) -> dict:
        if content is None:
            with open(os.path.join(DEMO_FILES, filename), "rb") as stream:
                content = stream.read()
        return helpers.call_action(
            "resource_create", package_id=dataset_id, name=fields.pop("name", filename),
            url=filename, format=fmt,
            upload=FileStorage(stream=io.BytesIO(content), filename=filename), **fields)
    return create


@pytest.fixture
def extracted(upload, run_jobs):
    """A CSV resource of a new dataset, uploaded from text, its preview built by the worker."""
    def create(content: str, filename: str = "parcs.csv") -> dict:
        from ckan.tests import factories

        created = upload(factories.Dataset()["id"], filename, content.encode("utf-8"))
        run_jobs()
        return created
    return create


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def http_files(tmp_path):
    """A local HTTP server over a temporary folder: returns (folder, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)
