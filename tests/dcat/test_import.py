"""The DCAT import (CLI and action), a front-end of ckanext-harvest: ckanext-dcat's own and
hand-written feeds, paginated, matched by identifier, withdrawn when gone from the feed; malicious
feeds refused without fetching anything, nothing written."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer

import ckan.plugins.toolkit as tk

from ckanext.quebec.harvest import reading

# The import without the Québec schema (CKAN's default one): quebec_dcat and quebec_harvest alone.
PLUGINS = "quebec_search dcat quebec_dcat harvest dcat_rdf_harvester quebec_harvest"

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true"),
]

HAND_WRITTEN = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://ville.example/catalogue> a dcat:Catalog ;
    dcat:dataset <https://ville.example/d/1>, <https://ville.example/d/2>,
                 <https://ville.example/d/3> .
<https://ville.example/d/1> a dcat:Dataset ;
    dct:identifier "VILLE-001" ;
    dct:title "Patinoires extérieures"@fr, "Outdoor rinks"@en ;
    dct:description "Les patinoires de la ville."@fr ;
    dcat:keyword "patinoire"@fr ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://ville.example/patinoires.csv> ;
        dct:format "CSV" ] .
<https://ville.example/d/2> a dcat:Dataset ;
    dct:title "Sans identifiant"@fr .
<https://ville.example/d/3> a dcat:Dataset ;
    dct:identifier "VILLE-003" .
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    requests: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        if callable(route):
            route(self)
            return
        body, media_type = route
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1: set ``routes`` {path: (bytes, media type) or handler}."""
    handler = type("Handler", (_Handler,), {"routes": {}, "requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handler.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def partner():
    return factories.Organization(name="ville-partenaire")


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


def _dcat_feed_pages(server, datasets, per_page=2):
    """The datasets as ckanext-dcat's own euro_dcat_ap_3 writes a paginated catalogue."""
    pages = [datasets[i:i + per_page] for i in range(0, len(datasets), per_page)]
    for number, page in enumerate(pages, start=1):
        info = {"count": len(datasets), "items_per_page": per_page,
                "current": f"{server.base}/catalog.ttl?page={number}",
                "first": f"{server.base}/catalog.ttl?page=1",
                "last": f"{server.base}/catalog.ttl?page={len(pages)}"}
        if number < len(pages):
            info["next"] = f"{server.base}/page{number + 1}.ttl"
        body = RDFSerializer(profiles=["euro_dcat_ap_3"]).serialize_catalog(
            {}, page, _format="turtle", pagination_info=info)
        server.routes[f"/page{number}.ttl" if number > 1 else "/catalog.ttl"] = (
            body.encode("utf-8") if isinstance(body, str) else body, "text/turtle")
    return f"{server.base}/catalog.ttl"



def _import(url=None, organization="ville-partenaire", **options):
    """quebec_dcat_import by the site user; its report."""
    user = helpers.call_action("get_site_user")["name"]
    if url is not None:
        options["url"] = url
    return helpers.call_action("quebec_dcat_import", {"user": user}, organization=organization,
                               **options)


def _refused(url=None, **options):
    """The messages of the import's 409 (the field's), checking that nothing was written."""
    with pytest.raises(tk.ValidationError) as error:
        _import(url, **options)
    assert _datasets() == []
    assert helpers.call_action("harvest_source_list") == []  # none registered for a feed never read
    return " ".join(error.value.error_dict["data" if "data" in options else "url"])


def _datasets():
    """The names of the datasets (harvest sources are datasets of another type)."""
    return [name for name, in model.Session.query(model.Package.name).filter_by(
        type="dataset", state="active")]


def _name(identifier):
    return reading.dataset_name("ville-partenaire", identifier)


def test_ckanext_dcat_feed_is_followed_page_by_page_and_updated_again(server, partner):
    source_org = factories.Organization()
    originals = [factories.Dataset(owner_org=source_org["id"], title=f"Jeu {i}",
                                   resources=[{"url": f"https://ex.ca/{i}.csv", "format": "CSV"}])
                 for i in range(5)]
    url = _dcat_feed_pages(server, originals)

    report = _import(url)
    assert [path for path in server.requests if path.endswith(".ttl")] == [
        "/catalog.ttl", "/page2.ttl", "/page3.ttl"]
    assert len(report["created"]) == 5 and report["updated"] == report["errors"] == []
    job = helpers.call_action("harvest_job_show", id=report["job"])
    assert job["status"] == "Finished" and job["stats"]["added"] == 5
    for name in report["created"]:
        dataset = helpers.call_action("package_show", id=name)
        assert dataset["owner_org"] == partner["id"]
        assert dataset["title"].startswith("Jeu ")
        assert dataset["resources"][0]["format"] == "CSV"

    # The next import (the same harvest source) updates the datasets; the one gone from the feed
    # is withdrawn, as the source says.
    originals[1]["title"] = "Jeu 1 révisé"
    _dcat_feed_pages(server, originals[1:])
    server.routes.pop("/page3.ttl", None)
    again = _import(url)
    assert again["source"] == report["source"]
    assert again["updated"] == [_name(originals[1]["id"])]
    assert sorted(again["not_modified"]) == sorted(_name(d["id"]) for d in originals[2:])
    assert again["created"] == [] and again["deleted"] == [_name(originals[0]["id"])]
    assert helpers.call_action("package_show", id=_name(originals[1]["id"]))["title"] == "Jeu 1 révisé"
    assert len(helpers.call_action("package_search", fq=f"owner_org:{partner['id']}")["results"]) == 4
    # The source organization's datasets are untouched.
    assert helpers.call_action("package_show", id=originals[0]["id"])["owner_org"] == source_org["id"]


def test_hand_written_feed_reports_what_it_left_out(server, partner):
    server.routes["/feed.ttl"] = (HAND_WRITTEN.encode("utf-8"), "text/turtle")
    report = _import(f"{server.base}/feed.ttl")
    # Without a dct:identifier, a record is identified by its URI (ckanext-dcat's guid).
    assert sorted(report["created"]) == sorted([_name("VILLE-001"),
                                                _name("https://ville.example/d/2")])
    assert report["errors"] == [{"identifier": None,
                                 "message": "VILLE-003: no title; the record was not imported"}]
    dataset = helpers.call_action("package_show", id=_name("VILLE-001"))
    assert dataset["title"] == "Patinoires extérieures"
    assert dataset["resources"][0]["url"] == "https://ville.example/patinoires.csv"


def test_dry_run_writes_nothing(cli, partner, tmp_path):
    feed = tmp_path / "feed.ttl"
    feed.write_text(HAND_WRITTEN, encoding="utf-8")
    result = cli.invoke(ckan, ["quebec", "dcat", "import", str(feed),
                               "--organization", "ville-partenaire", "--dry-run"])
    assert "created: " + _name("VILLE-001") in result.output, result.output
    assert "error: VILLE-003: no title" in result.output
    assert ("2 created, 0 updated, 0 not modified, 0 deleted, 1 error(s) "
            "(dry run, nothing written)") in result.output
    assert result.exit_code == 1  # something was left out
    assert _datasets() == []
    assert helpers.call_action("harvest_source_list") == []

    result = cli.invoke(ckan, ["quebec", "dcat", "import", str(feed),
                               "--organization", "ville-partenaire"])
    assert len(_datasets()) == 2
    source, = helpers.call_action("harvest_source_list")
    assert source["url"].startswith("https://documents.invalid/ville-partenaire/")

    # A dry run on the source now: what would change, nothing written.
    feed.write_text(HAND_WRITTEN.replace("Patinoires extérieures", "Patinoires"), encoding="utf-8")
    result = cli.invoke(ckan, ["quebec", "dcat", "import", str(feed),
                               "--organization", "ville-partenaire", "--dry-run"])
    assert "updated: " + _name("VILLE-001") in result.output, result.output
    assert "1 not modified" in result.output
    assert helpers.call_action("package_show", id=_name("VILLE-001"))["title"] == (
        "Patinoires extérieures")
    assert helpers.call_action("harvest_source_show", id=source["id"])["status"]["job_count"] == 1


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "%s/secret"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://x.example/d"><dct:title>&secret;</dct:title>
  <dct:identifier>X</dct:identifier></dcat:Dataset>
</rdf:RDF>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://x.example/d"><dct:title>&lol4;</dct:title></rdf:Description>
</rdf:RDF>"""


@pytest.mark.parametrize("path, body, media_type, message", [
    ("/xxe.rdf", XXE, "application/rdf+xml", "DOCTYPE"),
    ("/bomb.rdf", BOMB, "application/rdf+xml", "DOCTYPE"),
    ("/context.jsonld", b'{"@context": "%s/secret", "@id": "x"}', "application/ld+json",
     "remote @context"),
    ("/broken.ttl", b"<a> <b> .. nonsense", "text/turtle", "Malformed RDF"),
    ("/broken.rdf", b"<rdf:RDF><unclosed>", "application/rdf+xml", "Malformed XML"),
])
def test_malicious_or_broken_feeds_are_refused_and_fetch_nothing(server, partner, path, body,
                                                                 media_type, message):
    server.routes[path] = (body.replace(b"%s", server.base.encode()), media_type)
    server.routes["/secret"] = (b"top secret", "text/plain")
    assert message in _refused(f"{server.base}{path}")
    assert server.requests == [path]


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_max_bytes", "1000")
def test_huge_feeds_are_refused(server, partner, tmp_path, cli):
    server.routes["/huge.ttl"] = (b"# " + b"x" * 5000, "text/turtle")
    assert "larger than 1000 bytes" in _refused(f"{server.base}/huge.ttl")

    def no_length(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"# " + b"x" * 100 + b"\n")

    server.routes["/chunked.ttl"] = no_length
    assert "larger than 1000 bytes" in _refused(f"{server.base}/chunked.ttl")
    assert "larger than 1000 bytes" in _refused(data="# " + "x" * 5000, format="turtle")

    big_file = tmp_path / "huge.ttl"
    big_file.write_bytes(b"# " + b"x" * 5000)
    result = cli.invoke(ckan, ["quebec", "dcat", "import", str(big_file),
                               "--organization", "ville-partenaire"])
    assert result.exit_code == 1 and "larger than 1000 bytes" in result.output


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_timeout", "1")
def test_slow_feeds_are_cut(server, partner):
    def dribble(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.end_headers()
        for _ in range(30):
            handler.wfile.write(b"# slow\n")
            handler.wfile.flush()
            time.sleep(0.1)

    server.routes["/slow.ttl"] = dribble
    assert "more than 1 s" in _refused(f"{server.base}/slow.ttl")


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_max_pages", "3")
def test_endless_feeds_stop_at_the_page_cap_and_import_nothing(server, partner):
    def endless(handler):
        number = int(handler.path.split("page=")[-1]) if "page=" in handler.path else 1
        body = (f'@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n'
                f'@prefix dcat: <http://www.w3.org/ns/dcat#> .\n'
                f'@prefix dct: <http://purl.org/dc/terms/> .\n'
                f'<https://ville.example/d/{number}> a dcat:Dataset ; dct:title "Jeu {number}" .\n'
                f'<{server.base}/endless?page={number}> a hydra:PartialCollectionView ;\n'
                f'  hydra:next <{server.base}/endless?page={number + 1}> .\n').encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.end_headers()
        handler.wfile.write(body)

    server.routes["/endless"] = endless
    assert _refused(f"{server.base}/endless") == "page cap of 3 reached"
    assert len(server.requests) == 3


@pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "false")
@pytest.mark.parametrize("url", ["http://127.0.0.1:9/feed.ttl", "http://localhost/feed.ttl",
                                 "http://10.0.0.1/feed.ttl", "http://169.254.169.254/latest",
                                 "file:///etc/passwd", "ftp://example.com/feed.ttl"])
def test_private_addresses_and_other_schemes_are_refused(partner, url):
    assert _refused(url)


def test_unknown_organization(partner):
    with pytest.raises(tk.ObjectNotFound):
        _import(organization="inexistante", data="# vide", format="turtle")


class TestAction:
    def test_sysadmin_imports_a_feed_given_as_data(self, partner, sysadmin):
        result = helpers.call_action("quebec_dcat_import", {"user": sysadmin["name"]},
                                     organization=partner["name"], data=HAND_WRITTEN,
                                     format="turtle")
        assert _name("VILLE-001") in result["created"] and len(result["created"]) == 2
        assert [e["message"] for e in result["errors"]] == [
            "VILLE-003: no title; the record was not imported"]
        assert result["dry_run"] is False

    def test_bad_input_is_a_validation_error(self, partner, sysadmin):
        context = {"user": sysadmin["name"]}
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("quebec_dcat_import", context, organization=partner["name"])
        assert "url" in error.value.error_dict
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("quebec_dcat_import", context, organization=partner["name"],
                                data=XXE.decode(), format="xml")
        assert "DOCTYPE" in str(error.value.error_dict["data"])
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("quebec_dcat_import", context, organization=partner["name"],
                                data=HAND_WRITTEN, format="n3")
        assert "format" in error.value.error_dict
        assert _datasets() == []

    @pytest.mark.parametrize("language, message", [
        ("fr", "RDF mal formé (turtle) à la ligne 1"), ("en", "Malformed RDF (turtle) at line 1")])
    def test_through_the_api_in_the_users_language(self, app, partner, language, message):
        sysadmin = factories.SysadminWithToken()
        response = app.post(f"/{language}/api/3/action/quebec_dcat_import",
                            json={"organization": partner["name"], "data": "<<< pas du RDF",
                                  "format": "turtle"},
                            headers={"Authorization": sysadmin["token"]})
        assert response.status_code == 409
        assert message in response.json["error"]["data"][0]

    @pytest.mark.parametrize("role", [None, "member", "editor"])
    def test_only_sysadmins_and_the_organizations_admins_may_import(self, partner, role):
        user = factories.User()
        if role:
            helpers.call_action("organization_member_create", id=partner["id"],
                                username=user["name"], role=role)
        context = {"user": user["name"] if role else "", "ignore_auth": False}
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth("quebec_dcat_import", context, organization=partner["name"])
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("quebec_dcat_import", context, organization=partner["name"],
                                data=HAND_WRITTEN)
        assert _datasets() == []

    def test_an_organization_admin_imports_into_it_only(self, partner):
        admin, other = factories.User(), factories.Organization()
        helpers.call_action("organization_member_create", id=partner["id"],
                            username=admin["name"], role="admin")
        context = {"user": admin["name"], "ignore_auth": False}
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth("quebec_dcat_import", context, organization=other["name"])
        result = helpers.call_action("quebec_dcat_import", context, organization=partner["name"],
                                     data=HAND_WRITTEN)
        assert _name("VILLE-001") in result["created"]

    def test_sysadmin_is_authorized(self, partner, sysadmin):
        assert helpers.call_auth("quebec_dcat_import", {"user": sysadmin["name"]},
                                 organization=partner["name"])


def test_a_second_import_matches_by_identifier_even_renamed(server, partner):
    server.routes["/feed.ttl"] = (HAND_WRITTEN.encode("utf-8"), "text/turtle")
    first = _import(f"{server.base}/feed.ttl")
    name = _name("VILLE-001")
    assert name in first["created"]
    dataset = helpers.call_action("package_show", id=name)
    assert {"key": "identifier", "value": "VILLE-001"} in dataset["extras"]

    # The publisher renames the dataset in the portal; the feed still names it VILLE-001.
    helpers.call_action("package_patch", id=dataset["id"], name="arbres-renommes")
    server.routes["/feed.ttl"] = (HAND_WRITTEN.replace("Outdoor rinks", "Rinks").encode(),
                                  "text/turtle")
    again = _import(f"{server.base}/feed.ttl")
    assert "arbres-renommes" in again["updated"]
    assert name not in again["created"] + again["updated"]
    renamed = helpers.call_action("package_show", id=dataset["id"])
    assert renamed["name"] == "arbres-renommes"
    assert [e["value"] for e in renamed["extras"] if e["key"] == "identifier"] == ["VILLE-001"]


def test_a_url_another_organization_harvests_is_refused(server, partner):
    server.routes["/feed.ttl"] = (HAND_WRITTEN.encode("utf-8"), "text/turtle")
    other = factories.Organization()
    _import(f"{server.base}/feed.ttl", organization=other["name"])
    with pytest.raises(tk.ValidationError) as error:
        _import(f"{server.base}/feed.ttl")
    assert "already harvested by another source" in error.value.error_dict["url"][0]


def test_a_refused_feed_leaves_the_imported_datasets_as_they_were(server, partner):
    server.routes["/feed.ttl"] = (HAND_WRITTEN.encode("utf-8"), "text/turtle")
    first = _import(f"{server.base}/feed.ttl")
    server.routes["/feed.ttl"] = (b"<a> <b> .. nonsense", "text/turtle")
    with pytest.raises(tk.ValidationError) as error:
        _import(f"{server.base}/feed.ttl")
    assert "Malformed RDF" in error.value.error_dict["url"][0]
    assert sorted(_datasets()) == sorted(first["created"])
    # the source's history keeps the refused job, with its error
    status = helpers.call_action("harvest_source_show", id=first["source"])["status"]
    assert status["job_count"] == 2 and "Malformed RDF" in str(status["last_job"])
