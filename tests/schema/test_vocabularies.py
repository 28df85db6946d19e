"""Every vocabulary file loads, speaks French and English, and a broken one says where."""
from __future__ import annotations

import pathlib

import pytest

from ckanext.quebec.schema import vocabularies

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "schemas" / "vocabularies"


def _entries_in_text(path: pathlib.Path) -> int:
    """The entries the file's text holds: its top-level list items, counted without YAML or the loader."""
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("- "))


# Derived from the files, so a new vocabulary needs no change here.
FILES = {path.stem: _entries_in_text(path) for path in sorted(FOLDER.glob("*.yaml"))}
# Sizes that are facts about Québec, not about the files: a file cut short breaks them.
FACTS = {"categories": 12, "regions": 17}


def _uris(entry: dict) -> list[str]:
    return [entry[key] for key in ("uri", "eu_theme") if key in entry] + entry.get("uris", [])


def test_every_vocabulary_file_loads_whole():
    # the loader (and the packaging) keeps every file and every entry of each, each once
    assert FILES and all(FILES.values())
    assert {name: len(vocabularies.get(name)) for name in vocabularies.names()} == FILES


def test_the_text_count_sees_every_entry_style(tmp_path):
    # block and flow entries both count, comments and nested lists do not: the check above can fail
    path = tmp_path / "v.yaml"
    path.write_text("# - not an entry\n- value: a\n  uris:\n    - http://x\n- {value: b}\n", encoding="utf-8")
    assert _entries_in_text(path) == 2


@pytest.mark.parametrize("name, size", sorted(FACTS.items()))
def test_the_vocabularies_of_fixed_size_are_whole(name, size):
    assert len(vocabularies.get(name)) == size


def test_the_region_codes_run_without_a_gap():
    assert [entry["value"] for entry in vocabularies.get("regions")] == [
        f"{code:02d}" for code in range(1, len(vocabularies.get("regions")) + 1)]


def test_no_vocabulary_repeats_another():
    # a file copied under another name
    values = [tuple(sorted(entry["value"] for entry in vocabularies.get(name))) for name in FILES]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("name", sorted(FILES))
def test_entries_have_a_french_and_an_english_label(name):
    for entry in vocabularies.get(name):
        assert entry["label"]["fr"].strip() and entry["label"]["en"].strip(), entry


@pytest.mark.parametrize("name", sorted(FILES))
def test_values_are_unique(name):
    values = [entry["value"] for entry in vocabularies.get(name)]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("name", sorted(FILES))
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


def test_territories_are_the_regions_communities_and_demo_municipalities():
    territories = vocabularies.get("territories")
    kinds = [entry["kind"] for entry in territories]
    assert kinds.count("province") == 1
    assert kinds.count("region") == 17
    assert kinds.count("communaute-metropolitaine") == 2
    region_codes = sorted(e["code"] for e in territories if e["kind"] == "region")
    assert region_codes == [entry["value"] for entry in vocabularies.get("regions")]
    municipalities = {e["value"] for e in territories if e["kind"] == "municipalite"}
    assert {"municipalite-montreal", "municipalite-laval", "municipalite-quebec",
            "municipalite-sherbrooke", "municipalite-gatineau"} <= municipalities


def test_every_territory_has_a_code_and_a_box_within_quebec():
    west, south, east, north = vocabularies.get("territories")[0]["bbox"]
    for entry in vocabularies.get("territories"):
        assert entry["code"].strip(), entry
        w, s, e, n = entry["bbox"]
        assert west <= w < e <= east and south <= s < n <= north, entry
        # every territory lies, through its parents, in the province
        assert vocabularies.with_ancestors("territories", [entry["value"]])[-1] == "quebec"


def test_a_municipality_box_lies_in_its_parents_boxes():
    for entry in vocabularies.get("territories"):
        w, s, e, n = entry["bbox"]
        for parent in entry.get("parents", []):
            pw, ps, pe, pn = vocabularies.entry("territories", parent)["bbox"]
            assert pw <= w and ps <= s and e <= pe and n <= pn, (entry["value"], parent)


def test_territory_ancestors_and_envelope():
    assert vocabularies.with_ancestors("territories", ["municipalite-laval"]) == [
        "municipalite-laval", "region-laval", "cm-montreal", "quebec"]
    assert vocabularies.envelope("territories", ["municipalite-montreal", "municipalite-laval"]) == (
        -73.98, 45.41, -73.47, 45.70)
    assert vocabularies.envelope("territories", ["nowhere"]) is None


@pytest.mark.parametrize("entry, message", [
    ({"value": "a", "label": {"fr": "A", "en": "A"}, "bbox": [1, 2, 3]}, "bbox"),
    ({"value": "a", "label": {"fr": "A", "en": "A"}, "bbox": [3, 2, 1, 4]}, "bbox"),
    ({"value": "a", "label": {"fr": "A", "en": "A"}, "parents": ["b"]}, "unknown parent 'b'"),
    ({"value": "a", "label": {"fr": "A", "en": "A"}, "code": ""}, "code"),
])
def test_a_broken_territory_says_what_is_wrong(tmp_path, entry, message):
    import yaml

    (tmp_path / "territories.yaml").write_text(yaml.safe_dump([entry]), encoding="utf-8")
    with pytest.raises(vocabularies.VocabularyError, match=message):
        vocabularies.load(str(tmp_path))


def test_label_of_an_unknown_value_is_none():
    assert vocabularies.label("update_frequencies", "yearly", "fr") is None


def test_unknown_vocabulary_is_a_key_error():
    with pytest.raises(KeyError):
        vocabularies.get("districts")


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
    ("- value: a\n  label: {fr: Un, en: One}\n  days: 0\n", "entry 1 ('a'): days must be a whole number"),
    ("- value: a\n  label: {fr: Un, en: One}\n  days: '7'\n", "entry 1 ('a'): days must be a whole number"),
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
