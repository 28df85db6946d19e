"""What a harvest source cannot make the portal do: read local files, reach private addresses,
expand entities; a refused feed harvests nothing and leaves the datasets already harvested as they were."""
from __future__ import annotations

import pytest
import requests

from ckan.tests import helpers

from ckanext.quebec.harvest import guards, language, messages

from . import queues
from .test_inbound import FEED, PLUGINS, _harvested, _source, partner  # noqa: F401
from tests.dcat.test_import import server  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
]

ENTITIES = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://ville.example/d/1"><dct:title>&b;</dct:title></dcat:Dataset>
</rdf:RDF>"""


@pytest.mark.parametrize("url", ["/etc/passwd", "file:///etc/passwd", "ftp://ville.example/flux.ttl"])
def test_only_http_urls_are_read(url):
    found, errors = guards.before_download(url)
    # written in no language (the report is read in its reader's)
    assert (found, [messages.render(error, language.catalogue("en").gettext) for error in errors]) == (
        None, [f"Only http and https URLs can be imported: {url}"])


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "false")
def test_private_addresses_are_refused_at_every_request(server):
    server.routes["/"] = (b"", "text/plain")
    url, errors = guards.before_download(server.base + "/")
    assert url is None and "private or reserved network" in errors[0]
    # A redirect goes through the same adapter as the first request.
    with pytest.raises(requests.exceptions.ConnectionError, match="private or reserved network"):
        guards.guarded_session(requests.Session()).get(server.base + "/")


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "false")
def test_a_source_on_a_private_address_harvests_nothing(partner):
    source = _source(partner)

    job = queues.run_job(source["id"], partner["admin"]["name"])

    assert job["status"] == "Finished"
    assert "private or reserved network" in queues.gather_errors(job["id"])[0]
    assert partner["server"].requests == []
    assert _harvested(partner["org"]["id"]) == {}


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true")
def test_a_feed_with_entities_is_refused_and_earlier_datasets_stay(partner):
    source = _source(partner)
    queues.run_job(source["id"], partner["admin"]["name"])
    before = _harvested(partner["org"]["id"])
    partner["server"].routes[FEED] = (ENTITIES, "application/rdf+xml")

    job = queues.run_job(source["id"], partner["admin"]["name"])

    assert queues.gather_errors(job["id"]) == ["XML with a DOCTYPE or entities is refused"]
    after = _harvested(partner["org"]["id"])
    assert {title: d["metadata_modified"] for title, d in after.items()} == {
        title: d["metadata_modified"] for title, d in before.items()}
    assert all(helpers.call_action("package_show", id=d["id"])["state"] == "active"
               for d in after.values())


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true")
@pytest.mark.ckan_config("ckanext.quebec.dcat.import_max_bytes", "100000")
def test_deep_or_huge_feeds_are_per_source_errors_of_the_consumers(partner):
    """A feed nested too deeply stopped the gather consumer (RecursionError), a huge one was read
    up to ckanext-dcat's own 50 MB: each is now an error of the job, in no language."""
    source = _source(partner)
    partner["server"].routes[FEED] = (b'{"@graph": ' + b"[" * 20000 + b"]" * 20000 + b"}",
                                      "application/ld+json")
    job = queues.run_job(source["id"], partner["admin"]["name"])
    assert job["status"] == "Finished"
    assert queues.gather_errors(job["id"]) == ["The feed is nested too deeply to be read"]

    partner["server"].routes[FEED] = (b"# " + b"x" * 200000, "text/turtle")
    job = queues.run_job(source["id"], partner["admin"]["name"])
    assert "The feed is larger than 100000 bytes" in queues.gather_errors(job["id"])[0]
    assert _harvested(partner["org"]["id"]) == {}
