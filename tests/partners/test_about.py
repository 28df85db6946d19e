"""An organization's About page: name and description in the visitor's language, the partner's fields labelled."""
from __future__ import annotations

import pytest

from .conftest import create_partner, french

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
]


def _main(body: str) -> str:
    return body.split('class="quebec-partner-name"', 1)[1].split("</article>")[0]


def _sidebar(body: str) -> str:
    return body.split('id="organization-info"', 1)[1].split("</section>")[0]


def test_the_description_in_each_language(app, partners):
    create_partner("mtmd", description_translated={"fr": "Les **routes** du Québec",
                                                   "en": "Québec's **roads**"},
                   partner_type="ministere", organisation_principale="gouvernement-du-quebec",
                   region="03", certified=True, website="https://www.transports.gouv.qc.ca")
    for path, text, other in (("/organization/about/mtmd", "Les <strong>routes</strong> du Québec",
                               "roads"),
                              ("/en/organization/about/mtmd", "Québec's <strong>roads</strong>",
                               "routes")):
        body = app.get(path).body
        main = _main(body)
        assert text in main.replace("&#39;", "'"), path
        assert other not in main, path
        assert "{'fr'" not in main and "{&#39;fr&#39;" not in main, path
        # The box beside it too, as a plain extract.
        assert text.replace("<strong>", "").replace("</strong>", "") in \
            _sidebar(body).replace("&#39;", "'"), path
    main = _main(app.get("/en/organization/about/mtmd").body)
    assert "Organization mtmd" in main
    assert "Government of Québec — ministry" in main
    assert 'href="/en/organization/gouvernement-du-quebec"' in main or \
        'href="/organization/gouvernement-du-quebec"' in main
    assert "Capitale-Nationale" in main
    assert '<dd data-field="certified">Yes</dd>' in main
    assert "https://www.transports.gouv.qc.ca" in main


def test_a_french_only_description_is_marked_on_the_english_page(app):
    create_partner("ville-de-levis", description_translated={"fr": "Données de Lévis"})
    main = _main(app.get("/en/organization/about/ville-de-levis").body)
    assert 'lang="fr"' in main and "Données de Lévis" in main
    assert "(in French)" in main
    main = _main(app.get("/organization/about/ville-de-levis").body)
    assert "Données de Lévis" in main and french("(in French)") not in main
