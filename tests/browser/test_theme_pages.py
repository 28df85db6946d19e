"""quebec_theme's pages in Chromium, in French and English, logged out and as a sysadmin.

One live server for every page type (home, search, dataset, resource, organization
list and page, category list and page, About, login, user, dataset form), with
every served plugin: axe-core finds no critical or serious violation, ``<html
lang>`` is the page's language, no interface text of the other language shows
(CKAN's and the suite's msgids against the page's language) and the keyboard focus
is visible. QUEBEC_THEME_SCREENSHOTS=<folder> keeps the README's screenshots.
"""
from __future__ import annotations

import os
import re

import polib

import pytest

from ckan.lib import i18n as ckan_i18n
from ckan.tests import factories, helpers

from ckanext.quebec import resources as suite_resources

# The browser fixtures come from tests/browser/conftest.py.
from tests.demo.conftest import small_catalogue  # noqa: F401 (fixture)
from tests.security.conftest import ALL_PLUGINS, activity_tables  # noqa: F401 (fixture)

PASSWORD = "Sup3r-secret-pass"
AXE = os.path.join(os.path.dirname(__file__), "..", "viz", "vendor", "axe.min.js")
SCREENSHOTS = os.environ.get("QUEBEC_THEME_SCREENSHOTS")
# Texts that are the same word in both languages or names, never "wrong language"
PROPER_NOUNS = {"CKAN", "API", "CSV", "GeoJSON", "JSON", "XLSX", "KML", "SHP", "WMS", "URL",
                "English", "Français", "Données Québec", "Québec", "Description", "Format",
                "Licence", "Organisation", "Organisations", "Type", "Source", "Total", "Date",
                "Version", "Identifiant", "Image", "Information", "Notes", "Navigation",
                "Application", "Services", "Statistiques", "Message", "Statut", "Public", "Extras",
                "Dashboard", "Email", "Minimum", "Maximum", "Article", "Aide", "Option", "Options",
                "Actions", "Action", "Contact", "Ressources", "Menu", "Mot de passe", "Facebook",
                "LinkedIn", "Twitter", "Gouvernement du Québec",
                "URL:"}  # CKAN's French for it too (the slug preview's script)

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables"),
    # before activity, whose dashboard link names itself otherwise than it reads (WCAG 2.5.3)
    pytest.mark.ckan_config("ckan.plugins", "quebec_theme " + ALL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
    pytest.mark.ckan_config("ckanext.quebec.viz.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"),
]

# What the page shows as interface text: text nodes and the attributes read out or shown.
PAGE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript, [lang]:not(html)')) continue;
    texts.push(node.textContent.trim());
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
    if (element.closest('[lang]:not(html)')) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt'])
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name).trim());
  }
  texts.push(document.title.split(' - ')[0].trim());
  return texts.filter(Boolean);
}"""

FOCUS_SHOWN = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return 'nothing';
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return outline || style.boxShadow !== 'none' ? '' : element.outerHTML.slice(0, 120);
}"""


def _messages(directory: str, domain: str) -> dict[str, str]:
    """msgid -> French msgstr ("" when CKAN's catalogue has none) of a catalogue's interface texts."""
    catalogue = polib.pofile(os.path.join(directory, "fr", "LC_MESSAGES", f"{domain}.po"))
    found = {}
    for entry in catalogue:
        if entry.obsolete or len(entry.msgid) < 3 or "<" in entry.msgid:
            continue
        found[entry.msgid] = entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
        if entry.msgid_plural:
            found[entry.msgid_plural] = entry.msgstr_plural.get(1, "")
    return found


PLACEHOLDER = re.compile(r"\{[^}]*\}|%\([a-z_]+\)[sd]|%[sd]")
ESCAPED_PLACEHOLDER = re.compile(r"\\\{[^}]*\\\}|%\\\([a-z_]+\\\)[sd]|%[sd]")


def _pattern(texts: set[str]) -> re.Pattern:
    """One regular expression matching any of ``texts`` whole, a placeholder matching any words.

    A text must keep a word of three letters once its placeholders are out ("{0}" would match all).
    """
    kept = (text for text in texts if re.search(r"[^\W\d_]{3}", PLACEHOLDER.sub(" ", text)))
    return re.compile("|".join(sorted(ESCAPED_PLACEHOLDER.sub(".+", re.escape(text)) for text in kept)))


@pytest.fixture(scope="module")
def wrong_language() -> dict[str, re.Pattern]:
    """Per page language, the interface texts of the other one: English msgids on fr pages, French ones on en pages."""
    messages = _messages(ckan_i18n.get_ckan_i18n_dir(), "ckan")
    messages.update(_messages(suite_resources.i18n_directory(), suite_resources.TRANSLATION_DOMAIN))
    english, french = set(messages), {text for text in messages.values() if len(text) > 2}
    return {"fr": _pattern(english - french - PROPER_NOUNS),
            "en": _pattern(french - english - PROPER_NOUNS)}


def _axe_problems(page) -> list[str]:
    page.add_script_tag(path=AXE)
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))")
    return [f"axe {v['id']} ({v['impact']}): {v['nodes']}" for v in results
            if v["impact"] in ("serious", "critical")]


def _check(page, url: str, language: str, wrong: re.Pattern) -> list[str]:
    response = page.goto(url, wait_until="networkidle")
    problems = [] if response.status == 200 else [f"HTTP {response.status}"]
    for _tab in range(4):
        page.keyboard.press("Tab")
        unseen = page.evaluate(FOCUS_SHOWN)
        if unseen:
            problems.append(f"focus not visible on {unseen}")
    lang = page.get_attribute("html", "lang")
    if lang != language:
        problems.append(f"<html lang={lang!r}>")
    problems += [f"{language} page shows {text!r}"
                 for text in sorted(set(page.evaluate(PAGE_TEXTS))) if wrong.fullmatch(text)]
    problems += _axe_problems(page)
    return [f"{url}: {problem}" for problem in problems]


def _shoot(page, name: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))
        page.set_viewport_size({"width": 1280, "height": 720})


def test_every_page_type_speaks_the_visitors_language_and_passes_axe(
        live_server, browser, small_catalogue, wrong_language):  # noqa: F811
    from ckanext.quebec.demo import loader

    # axe is added as an inline script, which quebec_security's policy forbids
    page = browser.new_context(locale="fr-CA", bypass_csp=True).new_page()
    page.set_default_timeout(15_000)

    loader.load(small_catalogue("bornes-de-recharge"))
    dataset = helpers.call_action("package_show", id="bornes-de-recharge")
    organization = dataset["organization"]["name"]
    category = dataset["groups"][0]["name"]
    # fixed texts: the factory's random English "about" is user content, not interface
    admin = factories.Sysadmin(password=PASSWORD, image_url="", fullname="Émilie Tremblay",
                               about="Administratrice du portail")
    public = ["/", "/dataset/", f"/dataset/{dataset['name']}",
              "/organization/",
              f"/organization/{organization}", "/group/", f"/group/{category}", "/about",
              "/user/login", "/user/register", "/partenaires", "/partenaires/statistiques",
              f"/dataset/{dataset['name']}/quality"]
    private = ["/", f"/dataset/{dataset['name']}", f"/user/{admin['name']}", "/dataset/new",
               f"/dataset/?groups={category}", "/dashboard/"]

    problems = []
    for language, prefix in (("fr", ""), ("en", "/en")):
        problems += [problem for path in public for problem in
                     _check(page, live_server + prefix + path, language, wrong_language[language])]
    page.goto(live_server + "/")
    _shoot(page, "theme-home-fr")

    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", admin["name"])
    page.fill("#field-password", PASSWORD)
    page.press("#field-password", "Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)
    for language, prefix in (("fr", ""), ("en", "/en")):
        problems += [problem for path in private for problem in
                     _check(page, live_server + prefix + path, language, wrong_language[language])]
    page.goto(f"{live_server}/en/dataset/{dataset['name']}")
    _shoot(page, "theme-dataset-en")

    assert not problems, "\n".join(problems)


def test_the_resource_page_speaks_the_visitors_language(
        live_server, browser, small_catalogue, wrong_language):  # noqa: F811
    from ckanext.quebec.demo import loader

    loader.load(small_catalogue("bornes-de-recharge"))
    dataset = helpers.call_action("package_show", id="bornes-de-recharge")
    page = browser.new_context(locale="fr-CA", bypass_csp=True).new_page()
    url = f"/dataset/{dataset['name']}/resource/{dataset['resources'][0]['id']}"
    problems = [problem for language, prefix in (("fr", ""), ("en", "/en"))
                for problem in _check(page, live_server + prefix + url, language, wrong_language[language])]
    assert not problems, "\n".join(problems)
