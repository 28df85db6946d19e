"""The partner validators quebec_schema has no equivalent for, and the vocabularies they use (no database)."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
import ckan.plugins.toolkit as tk

from ckanext.quebec.partners import helpers, validators
from ckanext.quebec.schema import vocabularies

TITLE = {"field_name": "title_translated", "core_field": "title"}


def _data(**values) -> dict:
    return {(key,): value for key, value in values.items()}


class TestCoreFields:
    def test_a_core_title_alone_is_read_as_french(self):
        data = _data(title="Ville de Lévis", __extras={})
        validators.quebec_partner_from_core_field(TITLE, {})(("title_translated",), data, defaultdict(list), {})
        assert data[("title_translated",)] == {"fr": "Ville de Lévis"}

    def test_the_bilingual_value_wins_over_the_core_title(self):
        data = _data(title="Old", title_translated={"fr": "Nouveau"})
        validators.quebec_partner_from_core_field(TITLE, {})(("title_translated",), data, defaultdict(list), {})
        assert data[("title_translated",)] == {"fr": "Nouveau"}

    def test_form_inputs_win_over_the_core_title(self):
        data = _data(title="Old", __extras={"title_translated-fr": "Nouveau"})
        validators.quebec_partner_from_core_field(TITLE, {})(("title_translated",), data, defaultdict(list), {})
        assert ("title_translated",) not in data

    @pytest.mark.parametrize("texts, core", [({"fr": "Ville", "en": "City"}, "Ville"),
                                             ({"en": "City"}, "City")])
    def test_the_french_text_fills_the_core_field(self, texts, core):
        data = _data(title_translated=json.dumps(texts))
        validators.quebec_partner_to_core_field(TITLE, {})(("title_translated",), data, defaultdict(list), {})
        assert data[("title",)] == core

    def test_nothing_is_copied_from_a_field_in_error(self):
        data = _data(title_translated="{}")
        errors = defaultdict(list, {("title_translated",): ["bad"]})
        validators.quebec_partner_to_core_field(TITLE, {})(("title_translated",), data, errors, {})
        assert ("title",) not in data


class TestBoolean:
    @pytest.mark.parametrize("value, expected", [(True, "true"), ("false", "false"), ("yes", "true")])
    def test_booleans_are_stored_as_strings(self, value, expected):
        assert validators.quebec_partner_boolean(value) == expected

    def test_bad_boolean(self):
        with pytest.raises(tk.Invalid):
            validators.quebec_partner_boolean("maybe")

    def test_empty_is_missing(self):
        assert validators.quebec_partner_boolean("") is tk.missing


class TestVocabularies:
    def test_partner_types_have_a_top_level_group(self):
        groups = {entry["group"] for entry in vocabularies.get("partner_types")}
        assert groups == {"gouvernement", "municipal", "societe-civile"}

    def test_regions_are_the_17_official_codes(self):
        assert [entry["value"] for entry in vocabularies.get("regions")] == [
            f"{code:02d}" for code in range(1, 18)]
        assert vocabularies.label("regions", "03", "fr") == "Capitale-Nationale"

    def test_type_label_helper(self):
        assert helpers.quebec_partner_type_label("obnl", "en") == "Civil society — non-profit organization"
        assert helpers.quebec_partner_type_label("nope", "fr") == "nope"


class TestFindCycle:
    UMBRELLAS = {"mtq": "gouv", "gouv": None, "a": "b", "b": "c", "c": None}

    def test_no_cycle(self):
        assert validators.find_cycle("mtq", "gouv", self.UMBRELLAS.get) is None

    def test_own_umbrella(self):
        assert validators.find_cycle("gouv", "gouv", self.UMBRELLAS.get) == ["gouv", "gouv"]

    def test_longer_cycle(self):
        assert validators.find_cycle("c", "a", self.UMBRELLAS.get) == ["c", "a", "b", "c"]

    def test_a_cycle_elsewhere_does_not_loop(self):
        umbrellas = {"x": "y", "y": "x"}
        assert validators.find_cycle("new", "x", umbrellas.get) is None
