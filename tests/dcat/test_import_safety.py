"""The DCAT import through the API reads no server file, and bad documents are clear 409s, never 500s."""
from __future__ import annotations

import pytest

from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from .test_fuzz import JSON_VALUES, TEXTS, _failures, users  # noqa: F401 (a fixture)
from .test_import import PLUGINS, _datasets

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
]

FEED = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://ville.example/d/1> a dcat:Dataset ;
    dct:identifier "LOCAL-001" ;
    dct:title "Jeu lu sur le disque du serveur"@fr .
"""


@pytest.fixture
def api(app):
    """post(data) → the API's response to quebec_dcat_import by a sysadmin."""
    sysadmin = factories.SysadminWithToken()
    organization = factories.Organization()

    def post(**data):
        return app.post("/api/3/action/quebec_dcat_import",
                        json={"organization": organization["name"], **data},
                        headers={"Authorization": sysadmin["token"]})

    return post


def test_the_api_reads_no_server_file(api, tmp_path):
    feed = tmp_path / "feed.ttl"
    feed.write_text(FEED)
    secret = tmp_path / "hostname"
    secret.write_text("machine-secrete-42\n")
    for url in (str(feed), str(secret), f"file://{feed}", "/etc/hostname"):
        response = api(url=url)
        assert response.status_code == 409, url
        message = response.json["error"]["url"][0]
        assert "http" in message and "machine-secrete-42" not in message
    assert _datasets() == []


def test_malformed_documents_are_not_quoted_in_errors(api):
    response = api(data="<a> <b> TOPSECRET-VALUE\n", format="turtle")
    assert response.status_code == 409
    message = response.json["error"]["data"][0]
    assert "Malformed RDF (turtle) at line 1" in message and "TOPSECRET" not in message


@pytest.mark.parametrize("data, rdf_format", [
    ('{"@graph": ' + "[" * 50000 + "]" * 50000 + "}", "json-ld"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "json-ld"),
    ("<a> <b> " + "[ <p> " * 5000 + "1" + " ]" * 5000 + " .", "turtle"),
    ("<a> <b> " + "( " * 5000 + ")" * 5000 + " .", "turtle"),
], ids=["json-ld-arrays", "json-ld-objects", "turtle-blank-nodes", "turtle-collections"])
def test_deeply_nested_documents_are_a_409(api, data, rdf_format):
    response = api(data=data, format=rdf_format)
    assert response.status_code == 409
    assert "nested too deeply" in response.json["error"]["data"][0]


@pytest.mark.parametrize("data, rdf_format", [
    ("5", "json-ld"), ('"text"', "json-ld"), ('{"@context": {"@vocab": 5}, "a": 1}', "json-ld"),
    ("<rdf:RDF><unclosed>", "xml"), ("\x00\x01", "turtle"), ("", "turtle"),
])
def test_odd_documents_are_a_409_or_an_empty_import(api, data, rdf_format):
    response = api(data=data, format=rdf_format)
    assert response.status_code in (200, 409)
    if response.status_code == 200:
        assert response.json["result"]["created"] == []


def test_the_command_line_still_reads_local_files(tmp_path, cli):
    feed = tmp_path / "feed.ttl"
    feed.write_text(FEED)
    organization = factories.Organization()
    result = cli.invoke(ckan, ["quebec", "dcat", "import", str(feed),
                               "--organization", organization["name"]])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    result = cli.invoke(ckan, ["quebec", "dcat", "import", f"file://{feed}",
                               "--organization", organization["name"]])
    assert result.exit_code == 1 and "http" in result.output


def test_the_import_action_never_fails(app, users):
    """Fuzzed as an anonymous visitor and as a sysadmin (tests/dcat/test_fuzz.py's values)."""
    organization = factories.Organization()
    values = TEXTS + JSON_VALUES + ["http://127.0.0.1:9/x", "/etc/hostname", "file:///etc/hostname"]

    def requests():
        for who, headers in users.items():
            for param in ("organization", "url", "data", "format", "dry_run"):
                base = {"organization": organization["name"], "data": "<a> <b> <c> ."}
                for value in values if who == "sysadmin" else values[:3]:
                    yield (f"{who} quebec_dcat_import {param}={str(value)[:20]!r}", "post",
                           "/api/3/action/quebec_dcat_import",
                           {"json": {**base, param: value}, "headers": headers})

    assert _failures(app, requests()) == []
