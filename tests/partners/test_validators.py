"""The partner validators' rules, without a database."""
from __future__ import annotations

import json

import pytest
import ckan.plugins.toolkit as tk

from ckanext.quebec.partners import helpers, validators


class TestTranslatedText:
    def test_dict_and_json_string(self):
        assert validators.parse_translated_text({"fr": " Ville ", "en": "City"}) == {
            "fr": "Ville", "en": "City"}
        assert validators.parse_translated_text(json.dumps({"fr": "Ville"})) == {"fr": "Ville"}

    def test_plain_string_is_french(self):
        assert validators.parse_translated_text("Ville de Laval") == {"fr": "Ville de Laval"}

    def test_empty_texts_are_dropped(self):
        assert validators.parse_translated_text({"fr": "Ville", "en": ""}) == {"fr": "Ville"}

    @pytest.mark.parametrize("value", [
        {"de": "Stadt"}, {"fr": 3}, ["fr"], "{not json", {"fr": "<b>Ville</b>"}])
    def test_bad_values_are_refused(self, value):
        with pytest.raises(tk.Invalid):
            validators.parse_translated_text(value)

    def test_french_is_required(self):
        with pytest.raises(tk.Invalid, match="French"):
            validators.check_french({"en": "City"})

    def test_output_gives_the_dict_back(self):
        assert validators.quebec_partner_translated_output('{"fr": "A"}') == {"fr": "A"}
        assert validators.quebec_partner_translated_output({"fr": "A"}) == {"fr": "A"}


class TestVocabularies:
    @pytest.mark.parametrize("name, value", [("partner_types", "municipalite"), ("regions", "06")])
    def test_known_values(self, name, value):
        assert validators.check_vocabulary(name, value) == value

    @pytest.mark.parametrize("name, value", [("partner_types", "ville"), ("regions", "18"),
                                             ("regions", "6")])
    def test_unknown_values_list_the_allowed_ones(self, name, value):
        with pytest.raises(tk.Invalid, match="Allowed values"):
            validators.check_vocabulary(name, value)

    def test_partner_types_have_a_top_level_group(self):
        from ckanext.quebec.schema import vocabularies
        groups = {entry["group"] for entry in vocabularies.get("partner_types")}
        assert groups == {"gouvernement", "municipal", "societe-civile"}

    def test_regions_are_the_17_official_codes(self):
        from ckanext.quebec.schema import vocabularies
        assert [entry["value"] for entry in vocabularies.get("regions")] == [
            f"{code:02d}" for code in range(1, 18)]
        assert vocabularies.label("regions", "03", "fr") == "Capitale-Nationale"

    def test_choices_helpers(self):
        choices = helpers.quebec_partner_type_choices({})
        assert choices[0] == {"value": "ministere", "label": {
            "fr": "Gouvernement du Québec — ministère", "en": "Government of Québec — ministry"}}
        assert len(helpers.quebec_region_choices({})) == 17
        assert helpers.quebec_partner_type_label("obnl", "en") == "Civil society — non-profit organization"
        assert helpers.quebec_partner_type_label("nope", "fr") == "nope"


class TestPlainValues:
    @pytest.mark.parametrize("value", ["2016-04-05", " 2020-02-29 "])
    def test_dates(self, value):
        assert validators.quebec_partner_date(value) == value.strip()

    @pytest.mark.parametrize("value", ["2016-02-30", "05/04/2016", "2016", "2016-4-5"])
    def test_bad_dates(self, value):
        with pytest.raises(tk.Invalid, match="YYYY-MM-DD"):
            validators.quebec_partner_date(value)

    @pytest.mark.parametrize("value", ["https://montreal.ca", "http://www.laval.ca/donnees"])
    def test_urls(self, value):
        assert validators.quebec_partner_url(value) == value

    @pytest.mark.parametrize("value", ["ftp://x.ca", "javascript:alert(1)", "montreal.ca", "https://"])
    def test_bad_urls(self, value):
        with pytest.raises(tk.Invalid):
            validators.quebec_partner_url(value)

    def test_emails(self):
        assert validators.quebec_partner_email("a.b@quebec.ca") == "a.b@quebec.ca"
        with pytest.raises(tk.Invalid):
            validators.quebec_partner_email("a.b@quebec")

    @pytest.mark.parametrize("value, expected", [(True, "true"), ("false", "false"), ("yes", "true")])
    def test_booleans_are_stored_as_strings(self, value, expected):
        assert validators.quebec_partner_boolean(value) == expected

    def test_bad_boolean(self):
        with pytest.raises(tk.Invalid):
            validators.quebec_partner_boolean("maybe")

    @pytest.mark.parametrize("validator", [
        validators.quebec_partner_date, validators.quebec_partner_url,
        validators.quebec_partner_email, validators.quebec_partner_boolean])
    def test_empty_is_missing(self, validator):
        assert validator("") is tk.missing


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
