"""Unit tests of the schema's template helpers (no database)."""
from __future__ import annotations

import pytest

from ckanext.quebec.schema import helpers

BOTH = {"fr": "Pistes cyclables", "en": "Bike paths"}
FRENCH_ONLY = {"fr": "Pistes cyclables"}
MACHINE = {"fr": "Pistes cyclables", "en-t-fr": "Cycle tracks"}


@pytest.mark.parametrize("value, language, expected", [
    (BOTH, "en", {"text": "Bike paths", "language": "en", "fallback": False, "machine": False}),
    (BOTH, "fr", {"text": "Pistes cyclables", "language": "fr", "fallback": False, "machine": False}),
    (FRENCH_ONLY, "en", {"text": "Pistes cyclables", "language": "fr", "fallback": True, "machine": False}),
    (MACHINE, "en", {"text": "Cycle tracks", "language": "en", "fallback": False, "machine": True}),
    ({"en": "Bike paths"}, "fr", {"text": "Bike paths", "language": "en", "fallback": True, "machine": False}),
    ('{"fr": "Vélo"}', "fr", {"text": "Vélo", "language": "fr", "fallback": False, "machine": False}),
    ({"fr": ["vélo"], "en": ["bike"]}, "en", {"text": ["bike"], "language": "en", "fallback": False,
                                             "machine": False}),
])
def test_translation(value, language, expected):
    assert helpers.quebec_translation(value, language=language) == expected


def test_nothing_to_show():
    assert helpers.quebec_translation(None) is None
    assert helpers.quebec_translation({}) is None
    assert helpers.quebec_translated({"fr": ""}) == ""


def test_translated_reads_a_field_of_a_dict():
    assert helpers.quebec_translated({"title_translated": BOTH}, "title_translated", "en") == "Bike paths"


def test_language_outside_a_request_is_french():
    assert helpers.quebec_translated(BOTH) == "Pistes cyclables"


def test_form_value_from_a_dataset_and_from_posted_inputs():
    assert helpers.quebec_translated_form_value({"t": MACHINE}, "t", "en") == {
        "text": "Cycle tracks", "machine": True}
    assert helpers.quebec_translated_form_value({"t": FRENCH_ONLY}, "t", "en") == {
        "text": "", "machine": False}
    posted = {"t-fr": "Vélo", "t-en": "Bike", "t-en-machine": "true"}
    assert helpers.quebec_translated_form_value(posted, "t", "en") == {"text": "Bike", "machine": True}
    assert helpers.quebec_translated_form_value({"k": {"fr": ["a", "b"]}}, "k", "fr")["text"] == "a, b"


def test_form_value_of_an_edit_posted_back_is_what_was_typed():
    # the stored dataset updated with the posted form: the inputs win, even emptied
    edited = {"t": BOTH, "t-fr": "Vélos", "t-en": ""}
    assert helpers.quebec_translated_form_value(edited, "t", "fr") == {"text": "Vélos", "machine": False}
    assert helpers.quebec_translated_form_value(edited, "t", "en") == {"text": "", "machine": False}


def test_vocabulary_choices():
    choices = helpers.quebec_vocabulary_choices({"vocabulary": "data_languages"})
    assert [c["value"] for c in choices] == ["FR", "EN", "FR_EN"]
    assert choices[0]["label"] == {"fr": "Français", "en": "French"}
