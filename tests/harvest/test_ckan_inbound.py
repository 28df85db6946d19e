"""Inbound from a partner's CKAN (source type ``ckan``, quebec_ckan_harvester) through the real queues.

The partner's action API is served by a local HTTP server: its package_search
pages the datasets it holds, as CKAN does (``start``, ``rows``, ``fl``). A
dataset gone from the partner is withdrawn at the next harvest; a listing that
fails withdraws nothing.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from ckan.tests import helpers
from ckanext.quebec.harvest.ckan_harvester import QuebecCKANHarvester

from tests.dcat.test_import import server  # noqa: F401  (the local HTTP server fixture)

from . import queues
from .test_inbound import PLUGINS, _harvested, partner  # noqa: F401

SEARCH = "/api/3/action/package_search"

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true"),
]


def _search_api(datasets: list[dict]):
    """A CKAN package_search over ``datasets``, sorted by id, paged, with ``fl``."""
    def answer(handler) -> None:
        query = {key: values[0] for key, values in parse_qs(urlparse(handler.path).query).items()}
        start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
        page = sorted(datasets, key=lambda d: d["id"])[start:start + rows]
        if query.get("fl"):
            page = [{field: d[field] for field in query["fl"].split(",")} for d in page]
        body = json.dumps({"success": True, "result": {"count": len(datasets),
                                                       "results": page}}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        handler.wfile.write(body)
    return answer


@pytest.fixture
def ckan_source(partner):
    partner["server"].routes[SEARCH] = _search_api(partner["datasets"])
    return helpers.call_action(
        "harvest_source_create", {"user": partner["admin"]["name"]}, name="portail-mtq",
        title="Portail du MTQ", url=partner["server"].base, source_type="ckan",
        owner_org=partner["org"]["id"], frequency="MANUAL")


def test_a_dataset_deleted_at_the_source_is_withdrawn(partner, ckan_source):
    first = queues.run_job(ckan_source["id"], partner["admin"]["name"])
    assert first["stats"].get("added") == 3, (first["stats"], [
        error.message for obj in queues.objects(first["id"]) for error in obj.errors])
    kept, gone = partner["datasets"][:2], partner["datasets"][2]
    partner["server"].routes[SEARCH] = _search_api(kept)

    second = queues.run_job(ckan_source["id"], partner["admin"]["name"])

    assert queues.report(second["id"])[gone["id"]] == "deleted"
    assert helpers.call_action("package_show", id=gone["id"])["state"] == "deleted"
    assert set(_harvested(partner["org"]["id"])) == {
        d["title_translated"]["en"] for d in kept}


def test_a_listing_that_fails_withdraws_nothing(partner, ckan_source):
    queues.run_job(ckan_source["id"], partner["admin"]["name"])
    # The search answers its first pages, then fails on the listing of ids.
    complete = _search_api(partner["datasets"])

    def failing_listing(handler) -> None:
        if "fl=id" in handler.path:
            handler.send_response(500)
            handler.end_headers()
            handler.wfile.write(b"<html>Internal Server Error</html>")
            return
        complete(handler)
    partner["server"].routes[SEARCH] = failing_listing

    job = queues.run_job(ckan_source["id"], partner["admin"]["name"])

    assert "could not be read" in queues.gather_errors(job["id"])[0]
    assert "deleted" not in queues.report(job["id"]).values()
    assert len(_harvested(partner["org"]["id"])) == 3


def test_it_refuses_to_start_beside_ckan_harvester():
    with pytest.raises(RuntimeError, match="replaces ckan_harvester"):
        QuebecCKANHarvester().configure({"ckan.plugins": "harvest ckan_harvester quebec_ckan_harvester"})
