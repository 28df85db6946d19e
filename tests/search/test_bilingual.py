"""French and English full-text search, translated fields in their own language.

The schema plugin puts each language of a translated field into the index
document as its own key (``title_translated_fr``, ``keywords_en``...). CKAN
indexes a dataset's extras under their own key too, which these tests use to
put such keys in the index without the schema plugin.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers

from ckanext.quebec.search import fields
from ckanext.quebec.search.connection import _row_for, interface_language

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


def _translated(name: str, **values: str) -> dict:
    # Neutral core fields: the translated keys alone carry the words searched.
    return factories.Dataset(
        name=name, title=f"Jeu {name}", notes="",
        extras=[{"key": key, "value": value} for key, value in values.items()])


@pytest.fixture(scope="class")
def catalogue(shared_db):
    _translated("ecoles", title_translated_fr="Écoles primaires publiques",
                title_translated_en="Public elementary schools",
                notes_translated_fr="Données sur les élèves inscrits.",
                notes_translated_en="Data about enrolled pupils.")
    _translated("velos", title_translated_fr="Réseau cyclable et vélo",
                title_translated_en="Bicycle network")
    _translated("ponts", title_translated_fr="Inventaire des ponts",
                title_translated_en="Bridge inventory")
    # "transport" matches in French in one, in English in the other
    _translated("transport-fr", title_translated_fr="Transport collectif",
                title_translated_en="Bus network")
    _translated("transport-en", title_translated_fr="Réseau d'autobus",
                title_translated_en="Public transport")


def search(**params) -> dict:
    return helpers.call_action("package_search", rows=100, **params)


def names(**params) -> set[str]:
    return {dataset["name"] for dataset in search(**params)["results"]}


def order(**params) -> list[str]:
    return [dataset["name"] for dataset in search(**params)["results"]]


@pytest.mark.usefixtures("catalogue")
class TestBothLanguages:
    @pytest.mark.parametrize("q, expected", [
        ("donnee", {"ecoles"}),             # "Données", accent folded and stemmed
        ("velos", {"velos"}),               # "vélo"
        ("bridges", {"ponts"}),             # "Bridge"
        ("écoles primaires", {"ecoles"}),   # "Écoles primaires", plural and singular
        ("école primaire", {"ecoles"}),
        ("elementary school", {"ecoles"}),  # the English title
        ("pupil", {"ecoles"}),
        ("élève", {"ecoles"}),
        ("ponts bridge", {"ponts"}),         # one word per language
    ])
    def test_a_query_matches_either_language(self, q, expected):
        assert names(q=q) == expected

    def test_translated_keys_are_searchable_by_name(self):
        assert names(q="title_translated_fr:ecole") == {"ecoles"}
        assert names(q="title_translated_en:schools") == {"ecoles"}
        assert names(q="title_translated_en:ecoles") == set()

    def test_each_language_is_stemmed_in_its_own_language_only(self):
        with model.ensure_engine().connect() as connection:
            row = connection.execute(sa.text(
                "SELECT search_text_fr::text AS fr, search_text_en::text AS en"
                " FROM quebec_search_document WHERE name = 'ecoles'")).mappings().one()
        # French stems of the French title, English stems of the English one
        assert "'ecol':" in row["fr"] and "'primair':" in row["fr"]
        assert "'school':" in row["en"] and "'elementari':" in row["en"]
        assert "'school':" not in row["fr"] and "'ecol':" not in row["en"]

    def test_titles_weigh_as_titles_and_notes_as_notes(self):
        with model.ensure_engine().connect() as connection:
            fr = connection.execute(sa.text(
                "SELECT search_text_fr::text FROM quebec_search_document"
                " WHERE name = 'ecoles'")).scalar_one()
        assert "'ecol':1A" in fr
        assert fr.split("'inscrit':")[1].split(" ")[0].split(",")[0].endswith("C")


@pytest.mark.usefixtures("catalogue")
class TestInterfaceLanguageRanksFirst:
    def test_french_readers_see_french_matches_first(self, monkeypatch):
        monkeypatch.setitem(config, "ckan.locale_default", "fr")
        assert order(q="transport") == ["transport-fr", "transport-en"]

    def test_english_readers_see_english_matches_first(self, monkeypatch):
        monkeypatch.setitem(config, "ckan.locale_default", "en")
        assert order(q="transport") == ["transport-en", "transport-fr"]

    @pytest.mark.parametrize("locale, first", [("fr", "transport-fr"), ("en", "transport-en")])
    def test_the_request_locale_decides_on_the_api(self, app, locale, first):
        response = app.get(f"/{locale}/api/3/action/package_search",
                           query_string={"q": "transport"}, status=200)
        assert response.json["result"]["results"][0]["name"] == first

    def test_the_language_bonus_never_hides_a_match(self, monkeypatch):
        monkeypatch.setitem(config, "ckan.locale_default", "en")
        assert names(q="collectif") == {"transport-fr"}


class TestLanguageKeys:
    @pytest.mark.parametrize("key, language, weight", [
        ("title_translated_fr", "fr", "A"), ("title_translated_en", "en", "A"),
        ("keywords_fr", "fr", "B"), ("keywords_en", "en", "B"),
        ("notes_translated_fr", "fr", "C"), ("methodologie_fr", "fr", "D"),
        ("extras_source_en", "en", "D"),
    ])
    def test_language_keys(self, key, language, weight):
        assert fields.language_of(key) == language
        assert fields.language_weight(key) == weight
        assert fields.kind_of(key) == fields.TEXT

    @pytest.mark.parametrize("key", ["title", "name_fr_x", "fr", "_en", "license_id"])
    def test_other_keys(self, key):
        assert fields.language_of(key) is None

    def test_a_document_splits_its_languages_by_weight(self):
        row = _row_for({"id": "x", "title": "Titre", "keywords_fr": ["vélo", "été"],
                        "keywords_en": ["bike"], "title_translated_en": "Bikes",
                        "methodologie_fr": "Comptage"})
        assert row["text_fr_b"] == "vélo été"
        assert row["text_en_b"] == "bike"
        assert row["text_en_a"] == "Bikes"
        assert row["text_fr_d"] == "Comptage"
        assert row["text_a"] == "Titre"  # title stays a bilingual core field

    def test_interface_language_outside_a_request(self, monkeypatch):
        monkeypatch.setitem(config, "ckan.locale_default", "en_CA")
        assert interface_language() == "en"
        monkeypatch.setitem(config, "ckan.locale_default", "")
        assert interface_language() == "fr"
