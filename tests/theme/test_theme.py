"""quebec_theme without the suite's other features (quebec_search only, for the search backend): its options, the header, footer, home and About pages, in French and English."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from ckanext.quebec.config import ConfigError
from ckanext.quebec.theme import config

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_theme"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
]


@pytest.mark.parametrize("contact", ["", "info@example.qc.ca", "https://example.qc.ca/nous-joindre"])
def test_a_contact_is_an_address_or_a_web_page(ckan_config, monkeypatch, contact):
    monkeypatch.setitem(ckan_config, config.CONTACT, contact)
    config.check()


@pytest.mark.parametrize("contact", ["nous joindre", "ftp://example.qc.ca", "javascript:alert(1)"])
def test_a_broken_contact_stops_start_up_naming_the_option(ckan_config, monkeypatch, contact):
    monkeypatch.setitem(ckan_config, config.CONTACT, contact)
    with pytest.raises(ConfigError, match=config.CONTACT):
        config.check()


def test_a_blank_portal_name_stops_start_up(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, config.PORTAL_NAME, " ")
    with pytest.raises(ConfigError, match=config.PORTAL_NAME):
        config.check()


@pytest.mark.ckan_config("ckanext.quebec.theme.contact", "info@example.qc.ca")
def test_the_home_page_is_the_portals_in_both_languages(app):
    factories.Dataset(title="Bornes de recharge")
    french = app.get("/").body
    assert "Données Québec" in french and "QUEBEC_blanc.svg" in french
    assert "Le partenariat en chiffres" in french and "mailto:info@example.qc.ca" in french
    assert "Bornes de recharge" in french and "Propulsé par" in french
    # CKAN's placeholder site title ("CKAN", test.ini's) gives way to the portal's name
    assert re.search(r"<title>\s*Accueil - Données Québec\s*</title>", french)
    assert 'href="/quebec-theme/vendor/favicon.ico"' in french and "ckan.ico" not in french
    for stock in ("ckan-logo", "420 x 220", "Bienvenue", "Welcome to CKAN", "Association CKAN"):
        assert stock not in french
    english = app.get("/en/").body
    assert "The partnership in figures" in english and '<html lang="en"' in english
    assert "Le partenariat en chiffres" not in english
    # the 12 categories, each with its count and its filtered search, even without quebec_schema
    assert french.count('href="/dataset/?groups=') == 12


def test_the_about_page_says_what_the_portal_is_unless_the_sysadmin_wrote_one(app, ckan_config, monkeypatch):
    assert "Partenariat Données Québec" in app.get("/about").body
    assert "CC BY 4.0" in app.get("/en/about").body
    assert "the open data portal of the Partenariat" in app.get("/en/about").body
    monkeypatch.setitem(ckan_config, "ckan.site_about", "Texte **de l'administrateur**")
    from ckan.lib.app_globals import app_globals
    monkeypatch.setattr(app_globals, "site_about", "Texte **de l'administrateur**", raising=False)
    page = app.get("/about").body
    assert "<strong>de l&#39;administrateur</strong>" in page or "<strong>de l'administrateur</strong>" in page
    assert "Partenariat Données Québec" not in page
