"""Every parameter of every quebec_quality action and page, sent bad values as a visitor and as a
sysadmin: never a server error (an id of 1.5 or a NUL made the auth functions crash with a 500)."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.api_calls import send

from ckan.tests import factories

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "empty_queue"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "true"),
]

# query-string and form values (a list is the key repeated)
TEXT_VALUES = ["", " ", "\x00", "a\x00b", "%00", "-1", "0", "1.5", "1e308", "NaN", "9" * 40, "true", "null",
               "2024-02-30", "' OR 1=1 --", "<script>", "é" * 5000, "x" * 100_000, ["a", "b"]]
# JSON bodies can carry what a query string cannot
JSON_VALUES = [None, True, -1, 0, 1.5, 10 ** 30, float("1e308"), [], ["a"], {}, {"a": 1}, [{"a": 1}],
               "a\x00"]
PARAMETERS = {
    "quebec_quality_show": ["id", "history"],
    "quebec_quality_run": ["id", "resource_id", "force", "background"],
    "quebec_quality_reference_grant": ["id", "mandate", "date"],
    "quebec_quality_reference_withdraw": ["id", "mandate", "date"],
}
GOOD = {"quebec_quality_reference_grant": {"mandate": "MCN-1", "date": "2024-03-01"}}


def _answer_problem(response) -> bool:
    if response.status_code >= 500:
        return True
    body = response.json if response.mimetype == "application/json" else None
    return body is None or (response.status_code != 200 and body.get("success") is not False)


def _api_errors(app, action: str, dataset_id: str, headers: dict) -> list:
    found = []
    for parameter in PARAMETERS[action]:
        sent = [(value, False) for value in TEXT_VALUES] + [(value, True) for value in JSON_VALUES]
        for value, as_json in sent:
            params = {"id": dataset_id, **GOOD.get(action, {}), parameter: value}
            response = send(app, action, params, headers, post=as_json or action != "quebec_quality_show")
            if _answer_problem(response):
                found.append((action, parameter, repr(value)[:40], response.status_code))
    return found


@pytest.mark.parametrize("action", sorted(PARAMETERS))
def test_bad_api_values_never_make_a_server_error(app, action):
    dataset = factories.Dataset()
    token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    found = []
    for headers in ({}, {"Authorization": token}):
        found += _api_errors(app, action, dataset["id"], headers)
    assert not found, "\n".join(sorted({repr(entry) for entry in found}))


def test_the_reported_ids_answer_not_found_or_invalid(app):
    for action in ("quebec_quality_show", "quebec_quality_run"):
        for value in (1.5, "\x00"):
            response = app.post(f"/api/3/action/{action}", data=json.dumps({"id": value}),
                                headers={"Content-Type": "application/json"}, expect_errors=True)
            assert response.status_code in (404, 409), (action, value, response.status_code)
            assert response.json["success"] is False


PATH_VALUES = ["1.5", "%00", "a%00b", "%2F", "..", "%C3%A9" * 2000, "x" * 5000, "' OR 1=1 --", "%3Cscript%3E"]
FORM_VALUES = ["", "\x00", "a\x00b", "1.5", "2024-02-30", "é" * 5000, "x" * 100_000]


def test_bad_page_values_never_make_a_server_error(app):
    dataset = factories.Dataset()
    organization = factories.Organization()
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    found = []
    for headers in ({}, {"Authorization": token}):
        for value in PATH_VALUES + [quote(dataset["id"])]:
            for url in (f"/dataset/{value}/quality", f"/organization/{value}/quality"):
                response = app.get(url, headers=headers, expect_errors=True)
                if response.status_code >= 500:
                    found.append((url[:60], response.status_code))
            for suffix in ("/quality/run", "/quality/reference", "/quality/reference/withdraw"):
                response = app.post(f"/dataset/{value}{suffix}", headers=headers, expect_errors=True)
                if response.status_code >= 500:
                    found.append((suffix, value[:40], response.status_code))
        for field in ("mandate", "date"):
            for value in FORM_VALUES:
                form = {"mandate": "MCN-1", "date": "2024-03-01", field: value}
                for suffix in ("/quality/reference", "/quality/reference/withdraw"):
                    response = app.post(f"/dataset/{dataset['id']}{suffix}", data=form, headers=headers,
                                        expect_errors=True)
                    if response.status_code >= 500:
                        found.append((suffix, field, repr(value)[:40], response.status_code))
    assert not found, "\n".join(sorted({repr(entry) for entry in found}))
