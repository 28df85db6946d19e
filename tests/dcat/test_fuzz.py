"""Every DCAT action and endpoint parameter of the suite, fuzzed as an anonymous visitor and as a sysadmin.

Nothing answers 5xx: a bad value is a 400/404/409 with a message.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

TEXTS = ["", "0", "-1", "1.5", "abc", "99999999999999999999", '"', "x:[", "\x00", "2020-13-45",
         "\u00e9t\u00e9", "x" * 3000]
JSON_VALUES = [None, True, 2 ** 70, [], {"a": 1}]
CATALOG_PARAMS = ["page", "q", "fq", "format", "modified_since", "profiles"]
FORMATS = ["ttl", "rdf", "xml", "n3", "jsonld", "nt", "xyz", "TTL", "json", "ttl.x", "%00"]


@pytest.fixture
def users():
    """The request headers of an anonymous visitor and of a sysadmin."""
    return {"anonymous": {}, "sysadmin": {"Authorization": factories.SysadminWithToken()["token"]}}


@pytest.fixture
def dataset():
    organization = factories.Organization()
    return factories.Dataset(owner_org=organization["id"],
                             resources=[{"url": "https://example.org/a.csv", "format": "CSV"}])


def _failures(app, requests) -> list[tuple[str, str]]:
    """The requests (label, method, url, options) answered with a 5xx or an exception."""
    failures = []
    for label, method, url, options in requests:
        try:
            status = getattr(app, method)(url, **options).status_code
        except Exception as error:  # the test app re-raises a view's exception
            failures.append((label, repr(error)[:200]))
            continue
        if status >= 500:
            failures.append((label, str(status)))
    return failures


def test_catalog_endpoints(app, users, dataset):
    def requests():
        anonymous, sysadmin = users["anonymous"], users["sysadmin"]
        for fmt in FORMATS:
            yield f"/catalog.{fmt}", "get", f"/catalog.{fmt}", {}
            yield f"/dataset/x.{fmt}", "get", f"/dataset/{dataset['name']}.{fmt}", {}
        for param in CATALOG_PARAMS:
            for value in TEXTS:
                yield (f"/catalog.ttl?{param}={value[:20]!r}", "get", "/catalog.ttl",
                       {"query_string": {param: value}, "headers": anonymous})
        for param in ("q", "fq", "page"):
            for value in TEXTS:
                yield (f"sysadmin /catalog.ttl?{param}={value[:20]!r}", "get", "/catalog.ttl",
                       {"query_string": {param: value}, "headers": sysadmin})
        for value in TEXTS:
            yield (f"/dataset/x.ttl?profiles={value[:20]!r}", "get", f"/dataset/{dataset['name']}.ttl",
                   {"query_string": {"profiles": value}})

    assert _failures(app, requests()) == []


def test_catalog_unknown_format_is_404_and_bad_query_400(app, dataset):
    assert app.get("/catalog.xyz").status_code == 404
    assert app.get(f"/dataset/{dataset['name']}.xyz").status_code == 404
    response = app.get("/catalog.ttl", query_string={"q": "x:["})
    assert response.status_code == 400
    assert "The search query is not valid" in response.get_data(as_text=True)
    # A phrase that finds the dataset: the page's hydra IRIs hold its quotes percent-encoded.
    # (A lone quote is read by quebec_search and refused by Solr's parser, the same 400.)
    response = app.get("/catalog.ttl", query_string={"q": f'"{dataset["name"]}"'})
    assert response.status_code == 200
    assert f"q=%22{dataset['name']}%22" in response.get_data(as_text=True)


@pytest.mark.parametrize("action, params", [
    ("dcat_catalog_show", CATALOG_PARAMS),
    ("dcat_catalog_search", ["q", "fq", "page"]),
    ("dcat_dataset_show", ["id", "format", "profiles"]),
])
def test_catalog_actions(app, users, dataset, action, params):
    base = {"id": dataset["id"], "format": "ttl"} if action == "dcat_dataset_show" else {}

    def requests():
        for param in params:
            for value in TEXTS + JSON_VALUES:
                yield (f"{action} {param}={str(value)[:20]!r}", "post", f"/api/3/action/{action}",
                       {"json": {**base, param: value}})
        for value in ('"', "x:[", "abc"):
            yield (f"sysadmin {action} q={value!r}", "get", f"/api/3/action/{action}",
                   {"query_string": {**base, "q": value}, "headers": users["sysadmin"]})

    assert _failures(app, requests()) == []


def test_unknown_format_in_the_action_is_a_validation_error(app):
    response = app.post("/api/3/action/dcat_catalog_show", json={"format": "foo"})
    assert response.status_code == 409
    assert "format" in response.json["error"]
