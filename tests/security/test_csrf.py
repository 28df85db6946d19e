"""CSRF on the portal's forms: a request made with an API token (or by a
visitor without a session) is exempted alone, never the form for later visitors.

CKAN 2.12.0 exempted the form's view for the rest of the process, and CKAN 2.11
every plugin's blueprint by default; the fix is ckanext/quebec/csrf.py,
installed by quebec_schema.
"""
from __future__ import annotations

import re

import pytest

import ckan
from ckan.config.middleware import flask_app
from ckan.tests import factories
from flask_wtf.csrf import CSRFProtect

from ckanext.quebec import csrf
from tests.dcat import schema_datasets

PLUGINS = ("quebec_search scheming_datasets scheming_organizations quebec_schema "
           "quebec_partners quebec_quality")
FIELD = "_csrf_token"
TOKEN_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')

# The suite's forms: its own (quality run button) and core's it extends
# (Québec dataset form, partner organization form), with their endpoints.
FORMS = {
    "quality run": ("/dataset/{dataset}/quality/run", "quebec_quality.run_checks"),
    "dataset edit": ("/dataset/edit/{dataset}", "dataset.edit"),
    "organization edit": ("/organization/edit/{organization}", "organization.edit"),
}


@pytest.fixture
def unexempted_forms(app):
    """The forms' views as CKAN starts: no exemption left by earlier tests.

    CKAN 2.12.0's CSRF object is one per process; the apps of earlier tests
    that ran without quebec_schema (so without the fix) may have exempted
    these views for good. Those entries are the bug itself, not this test's.
    """
    views = [app.flask_app.view_functions[endpoint] for _, endpoint in FORMS.values()]
    flask_app.csrf._exempt_views.difference_update(
        f"{view.__module__}.{view.__name__}" for view in views)


@pytest.fixture
def site():
    sysadmin = factories.SysadminWithToken()
    organization = schema_datasets.partners()["mtq"]
    dataset = schema_datasets.create(organization["id"])
    return {"sysadmin": sysadmin, "dataset": dataset["name"], "organization": organization["name"]}


def _logged_in(app, user: dict):
    """A browser's client, logged in through the login form: a cookie session."""
    client = app.test_client()
    page = client.get("/user/login").get_data(as_text=True)
    response = client.post("/user/login", data={
        "login": user["name"], "password": "correct123", FIELD: TOKEN_INPUT.search(page)[1]},
        follow_redirects=False)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def _form_token(client) -> str:
    return TOKEN_INPUT.search(client.get("/dataset/").get_data(as_text=True))[1]


def _api_token_post(app, url: str, site: dict) -> None:
    """CKAN's exemption of requests made with an API token still holds."""
    answer = app.test_client(use_cookies=False).post(
        url, data={"save": ""}, headers={"Authorization": site["sysadmin"]["token"]},
        follow_redirects=False)
    assert answer.status_code != 400, answer.get_data(as_text=True)[:500]


def _anonymous_post(app, url: str, site: dict) -> None:
    """A visitor without a session: CKAN exempts it too (it has nothing to protect)."""
    app.test_client(use_cookies=False).post(url, data={"save": ""}, follow_redirects=False)


@pytest.mark.usefixtures("with_plugins", "clean_db", "unexempted_forms")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckanext.quebec.quality.background", "false")
@pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
@pytest.mark.parametrize("request_without_session", [_api_token_post, _anonymous_post])
@pytest.mark.parametrize("form", FORMS)
def test_request_without_session_leaves_form_protected(app, site, form, request_without_session):
    url = FORMS[form][0].format(**site)
    browser = _logged_in(app, site["sysadmin"])
    assert browser.post(url, data={"save": ""}, follow_redirects=False).status_code == 400

    request_without_session(app, url, site)

    # The exemption was that request's only: the session's form still needs its token.
    refused = browser.post(url, data={"save": ""}, follow_redirects=False)
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True)
    accepted = browser.post(url, data={"save": "", FIELD: _form_token(browser)},
                            follow_redirects=False)
    assert accepted.status_code in (200, 302)


@pytest.fixture
def fresh_csrf(monkeypatch):
    """CKAN 2.12.0's CSRF object as at start-up: Flask-WTF's, with its own exemption set."""
    protect = CSRFProtect()
    protect.exempt("ckanext.example.views.webhook")
    monkeypatch.setattr(flask_app, "csrf", protect)
    return protect


def test_exemptions_made_outside_a_request_stay(fresh_csrf, monkeypatch):
    monkeypatch.setattr(ckan, "__version__", "2.12.0")
    csrf.install()
    csrf.install()
    assert isinstance(fresh_csrf._exempt_views, csrf.RequestExemptions)
    assert "ckanext.example.views.webhook" in fresh_csrf._exempt_views


def test_untested_ckan_stops_start_up(fresh_csrf, monkeypatch):
    monkeypatch.setattr(ckan, "__version__", "2.12.99")
    with pytest.raises(RuntimeError, match="2.12.99"):
        csrf.install()
