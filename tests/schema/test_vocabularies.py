"""Every vocabulary file loads, speaks French and English, and a broken one says where."""
from __future__ import annotations

import pytest

from ckanext.quebec.schema import vocabularies

EXPECTED = {
    "categories": 12,
    "update_frequencies": 17,
    "licences": 2,
    "data_languages": 3,
    "resource_types": 4,
    "partner_types": 8,
    "regions": 17,
}


def _uris(entry: dict) -> list[str]:
    return [entry[key] for key in ("uri", "eu_theme") if key in entry] + entry.get("uris", [])


def test_every_vocabulary_file_loads():
    assert {name: len(vocabularies.get(name)) for name in vocabularies.names()} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_entries_have_a_french_and_an_english_label(name):
    for entry in vocabularies.get(name):
        assert entry["label"]["fr"].strip() and entry["label"]["en"].strip(), entry


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_values_are_unique(name):
    values = [entry["value"] for entry in vocabularies.get(name)]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_uris_are_http(name):
    for entry in vocabularies.get(name):
        for uri in _uris(entry):
            assert uri.startswith(("http://", "https://")), entry


def test_every_category_has_an_eu_theme():
    for entry in vocabularies.get("categories"):
        assert entry["eu_theme"].startswith(
            "http://publications.europa.eu/resource/authority/data-theme/"), entry


def test_no_two_frequencies_share_a_uri():
    # dct:accrualPeriodicity must read back to one code.
    uris = [entry["uri"] for entry in vocabularies.get("update_frequencies") if "uri" in entry]
    assert len(uris) == len(set(uris))


def test_the_portal_licence_is_cc_by_4():
    assert vocabularies.get("licences")[0]["uri"] == "https://creativecommons.org/licenses/by/4.0/"


def test_bilingual_data_has_both_language_uris():
    (entry,) = [e for e in vocabularies.get("data_languages") if e["value"] == "FR_EN"]
    assert [uri.rsplit("/", 1)[1] for uri in entry["uris"]] == ["FRA", "ENG"]


@pytest.mark.parametrize("language, expected", [
    ("fr", "Aux deux semaines"),
    ("en", "Every two weeks"),
    ("en_CA", "Every two weeks"),
    ("de", "Aux deux semaines"),
])
def test_label(language, expected):
    assert vocabularies.label("update_frequencies", "fortnightly", language) == expected


def test_label_of_an_unknown_value_is_none():
    assert vocabularies.label("update_frequencies", "yearly", "fr") is None


def test_unknown_vocabulary_is_a_key_error():
    with pytest.raises(KeyError):
        vocabularies.get("territories")


def test_a_folder_is_loaded_once():
    assert vocabularies.load() is vocabularies.load()


@pytest.mark.parametrize("content, message", [
    ("- label: {fr: Un, en: One}\n", "entry 1: has no value"),
    ("- value: a\n  label: {fr: Un, en: One}\n- value: ''\n  label: {fr: Deux, en: Two}\n",
     "entry 2: has no value"),
    ("- value: a\n  label: {fr: Un}\n", "entry 1 ('a'): has no en label"),
    ("- value: a\n  label: {en: One}\n", "entry 1 ('a'): has no fr label"),
    ("- value: a\n", "entry 1 ('a'): has no label"),
    ("- value: a\n  label: {fr: Un, en: One}\n- value: a\n  label: {fr: Deux, en: Two}\n",
     "entry 2 ('a'): repeats a value"),
    ("- value: a\n  label: {fr: Un, en: One}\n  uri: ftp://example.org/a\n",
     "entry 1 ('a'), uri: 'ftp://example.org/a' is not an http(s) URI"),
    ("- value: a\n  label: {fr: Un, en: One}\n  uris: [http://example.org/a, b]\n",
     "entry 1 ('a'), uris: 'b' is not an http(s) URI"),
    ("- just a string\n", "entry 1: must be a mapping"),
    ("value: a\n", "must be a non-empty list of entries"),
    ("", "must be a non-empty list of entries"),
    ("- value: [a\n", "not valid YAML"),
])
def test_a_broken_file_names_file_and_entry(tmp_path, content, message):
    (tmp_path / "good.yaml").write_text("- value: a\n  label: {fr: Un, en: One}\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(vocabularies.VocabularyError) as raised:
        vocabularies.load(str(tmp_path))
    assert str(raised.value).startswith(str(tmp_path / "broken.yaml"))
    assert message in str(raised.value)


def test_a_packaged_file_is_named_from_the_schemas_folder():
    shown = vocabularies._shown_path(f"{vocabularies.directory()}/categories.yaml")
    assert shown == "schemas/vocabularies/categories.yaml"
