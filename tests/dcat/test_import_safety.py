"""The DCAT import through the API reads no server file, and bad documents are clear 409s, never 500s."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.quebec.dcat import importer

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
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
    assert helpers.call_action("package_list") == []


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


def test_the_command_line_still_reads_local_files(tmp_path):
    feed = tmp_path / "feed.ttl"
    feed.write_text(FEED)
    organization = factories.Organization()
    user = helpers.call_action("get_site_user")["name"]
    report = importer.import_feed(str(feed), organization["name"], user=user, local_files=True)
    assert len(report.created) == 1
    with pytest.raises(importer.FeedRefused, match="http"):
        importer.import_feed(str(feed), organization["name"], user=user)
