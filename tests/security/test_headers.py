"""quebec_security: the security headers on every response, and the options that extend the policy."""
from __future__ import annotations

import pytest

from ckanext.quebec.security import policy

from .conftest import ALL_PLUGINS


def _csp(headers) -> dict[str, list[str]]:
    directives = [part.split() for part in headers["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives}


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "quebec_security quebec_search")
@pytest.mark.parametrize("url, status", [
    ("/", 200), ("/dataset/", 200), ("/api/3/action/status_show", 200),
    ("/console", 404), ("/base/css/main.css", 200), ("/user/login", 200),
])
def test_every_response_carries_the_headers(app, url, status):
    response = app.get(url, status=status)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = _csp(response.headers)
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"][:2] == ["'self'", "data:"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", ALL_PLUGINS)
def test_the_headers_with_every_plugin_and_the_map_tiles(app):
    csp = _csp(app.get("/dataset/").headers)
    # quebec_viz's default tile layer is OpenStreetMap's.
    assert "https://tile.openstreetmap.org" in csp["img-src"]
    assert csp["script-src"] == ["'self'"]


@pytest.mark.ckan_config("ckanext.quebec.viz.tile_url", "https://{s}.tiles.example.org/{z}/{x}/{-y}.png")
@pytest.mark.ckan_config("ckanext.quebec.security.csp_extra",
                         "img-src https://images.example.org; connect-src https://stats.example.org "
                         "https://other.example.org;; font-src 'self'")
@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "quebec_security quebec_search")
def test_options_extend_the_policy():
    csp = _csp(policy.security_headers())

    assert csp["img-src"] == ["'self'", "data:", "https://*.tiles.example.org", "gravatar.com",
                              "https://images.example.org"]
    assert csp["connect-src"] == ["'self'", "https://stats.example.org", "https://other.example.org"]
    assert csp["font-src"].count("'self'") == 1
    assert csp["script-src"] == ["'self'"]


@pytest.mark.ckan_config("ckanext.quebec.viz.tile_url", "")
@pytest.mark.ckan_config("ckan.gravatar_default", "disabled")
@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "quebec_security quebec_search")
def test_no_tile_layer_nor_gravatar_no_other_image_source():
    assert _csp(policy.security_headers())["img-src"] == ["'self'", "data:"]


@pytest.mark.parametrize("ancestors, frame_options", [
    ("'none'", "DENY"), ("'self' https://www.quebec.ca", None)])
@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "quebec_security quebec_search")
def test_frame_ancestors_decide_x_frame_options(ckan_config, monkeypatch, ancestors, frame_options):
    monkeypatch.setitem(ckan_config, policy.FRAME_ANCESTORS, ancestors)
    headers = policy.security_headers()

    assert headers.get("X-Frame-Options") == frame_options
    assert _csp(headers)["frame-ancestors"] == ancestors.split()


@pytest.mark.parametrize("option, value, message", [
    (policy.CSP_EXTRA, "script-source https://x.example", "'script-source' is not one of"),
    (policy.CSP_EXTRA, "img-src", "img-src lists no source"),
    (policy.FRAME_ANCESTORS, " ", "is empty"),
    (policy.TILE_URL, "/tiles/{z}/{x}/{y}.png", "has no scheme and host"),
])
@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "quebec_security quebec_search")
def test_unusable_options_are_refused(ckan_config, monkeypatch, option, value, message):
    monkeypatch.setitem(ckan_config, option, value)
    with pytest.raises(policy.ConfigError, match=message):
        policy.security_headers()
