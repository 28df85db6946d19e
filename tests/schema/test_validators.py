"""Unit tests of the schema's validators: no database; a request context for _() and the
plugin loaded for its declared configuration defaults."""
from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate

from ckanext.quebec import config
from ckanext.quebec.schema import validators as v

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "quebec_schema"),
    pytest.mark.usefixtures("with_plugins", "with_request_context"),
]

TITLE = {"field_name": "title_translated", "required": True}
METHOD = {"field_name": "methodologie_translated", "markdown": True}
KEYWORDS = {"field_name": "keywords"}


def _run(field, data, validator=v.quebec_translated_text):
    """Validate ``data`` against a one-field navl schema; (data, errors of the field)."""
    name = field["field_name"]
    schema = {name: [validator(field, {})], "__extras": [tk.get_validator("ignore")]}
    out, errors = validate(data, schema, {})
    return out, errors.get(name, [])


class TestTranslatedText:
    def test_dict_with_both_languages(self):
        out, errors = _run(TITLE, {"title_translated": {"fr": " Vélo ", "en": "Bike"}})
        assert not errors
        assert json.loads(out["title_translated"]) == {"fr": "Vélo", "en": "Bike"}

    def test_json_string(self):
        out, errors = _run(TITLE, {"title_translated": '{"fr": "Vélo"}'})
        assert not errors and json.loads(out["title_translated"]) == {"fr": "Vélo"}

    def test_form_inputs_with_machine_box(self):
        out, errors = _run(TITLE, {"title_translated-fr": "Vélo", "title_translated-en": "Bike",
                                   "title_translated-en-machine": "true"})
        assert not errors
        assert json.loads(out["title_translated"]) == {"fr": "Vélo", "en-t-fr": "Bike"}

    def test_machine_translated_tag(self):
        out, errors = _run(TITLE, {"title_translated": {"fr": "Vélo", "en-t-fr": "Bike"}})
        assert not errors

    def test_machine_french_counts_for_french(self):
        _out, errors = _run(TITLE, {"title_translated": {"fr-t-en": "Vélo", "en": "Bike"}})
        assert not errors

    @pytest.mark.parametrize("value, message", [
        ({"en": "Bike"}, "The French version is required"),
        ({"fr": "", "en": "Bike"}, "The French version is required"),
        ({}, "The French version is required"),
        ("not json", "Not valid JSON"),
        (["Vélo"], "Expecting an object"),
        ({"fr": "Vélo", "de": "Rad"}, "Unknown language key de"),
        ({"fr": 3}, "must be a string"),
        ({"fr": "Vélo", "en": "Bike", "en-t-fr": "Bicycle"}, "not both"),
        ({"fr": "<b>Vélo</b>"}, "HTML is not allowed"),
        ({"fr": "Vélo <script>alert(1)</script>"}, "HTML is not allowed"),
    ])
    def test_bad_values(self, value, message):
        _out, errors = _run(TITLE, {"title_translated": value})
        assert errors and message in errors[0]

    def test_missing_required(self):
        _out, errors = _run(TITLE, {})
        assert errors == ["The French version is required"]

    def test_optional_left_out(self):
        out, errors = _run(METHOD, {})
        assert not errors and "methodologie_translated" not in out

    def test_optional_filled_follows_the_policy(self):
        _out, errors = _run(METHOD, {"methodologie_translated": {"en": "Method"}})
        assert errors == ["The French version is required"]

    def test_markdown_allows_markdown_but_not_scripts(self):
        _out, errors = _run(METHOD, {"methodologie_translated": {"fr": "*Méthode* <em>x</em> a < b"}})
        assert not errors
        for bad in ("<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[x](javascript:alert(1))"):
            _out, errors = _run(METHOD, {"methodologie_translated": {"fr": bad}})
            assert errors and "Scripts" in errors[0], bad

    def test_output_gives_the_dict_back(self):
        assert v.quebec_translated_output('{"fr": "a"}') == {"fr": "a"}
        assert v.quebec_translated_output({"fr": "a"}) == {"fr": "a"}


class TestLanguagePolicy:
    @pytest.mark.ckan_config(config.SCHEMA_REQUIRED_LANGUAGES, "fr title_translated:fr,en")
    def test_per_field_english_required(self):
        _out, errors = _run(TITLE, {"title_translated": {"fr": "Vélo"}})
        assert errors == ["The English version is required"]
        _out, errors = _run(TITLE, {"title_translated": {"fr": "Vélo", "en-t-fr": "Bike"}})
        assert not errors

    @pytest.mark.ckan_config(config.SCHEMA_REQUIRED_LANGUAGES, "fr methodologie_translated:")
    def test_field_without_required_language(self):
        _out, errors = _run(METHOD, {"methodologie_translated": {"en": "Method"}})
        assert not errors

    @pytest.mark.ckan_config(config.SCHEMA_REQUIRED_LANGUAGES, "en")
    def test_default_changed(self):
        assert v.required_languages("title_translated") == ("en",)
        _out, errors = _run(TITLE, {"title_translated": {"en": "Bike"}})
        assert not errors

    def test_schema_field_setting(self):
        assert v.required_languages("x", {"required_languages": ["fr", "en"]}) == ("fr", "en")

    @pytest.mark.ckan_config(config.SCHEMA_REQUIRED_LANGUAGES, "fr title_translated:de")
    def test_bad_configuration(self):
        with pytest.raises(config.ConfigError):
            config.schema_required_languages()


class TestKeywords:
    def test_lists(self):
        out, errors = _run(KEYWORDS, {"keywords": {"fr": ["vélo", " piste ", "vélo"], "en": ["bike"]}},
                           v.quebec_keywords)
        assert not errors
        assert json.loads(out["keywords"]) == {"fr": ["vélo", "piste"], "en": ["bike"]}

    def test_form_inputs_are_comma_separated(self):
        out, errors = _run(KEYWORDS, {"keywords-fr": "vélo, piste cyclable,", "keywords-en": "bike"},
                           v.quebec_keywords)
        assert not errors
        assert json.loads(out["keywords"]) == {"fr": ["vélo", "piste cyclable"], "en": ["bike"]}

    @pytest.mark.parametrize("value, message", [
        ({"fr": "vélo"}, "must be a list"),
        (["vélo"], "Keywords must be given by language"),
        ({"fr": ["vélo", 3]}, "A keyword must be a text"),
        ({"fr": ["x" * 101]}, "A keyword must be a text"),
        ({"fr": ["<b>x</b>"]}, "HTML is not allowed"),
        ({"en": ["bike"]}, "The French version is required"),
    ])
    def test_bad_values(self, value, message):
        _out, errors = _run(KEYWORDS, {"keywords": value}, v.quebec_keywords)
        assert errors and message in errors[0]


class TestCoreFields:
    SCHEMA = {
        "dataset_fields": [{"field_name": "title_translated", "core_field": "title"}],
        "resource_fields": [{"field_name": "name_translated", "core_field": "name"}],
    }

    def _fill(self, data):
        errors = {key: [] for key in data}
        v.quebec_core_fields_from_translated(None, self.SCHEMA)(("__after",), data, errors, {})
        return data

    def test_french_first(self):
        data = self._fill({("title_translated",): '{"en": "Bike", "fr": "Vélo"}',
                           ("resources", 0, "name_translated"): '{"en-t-fr": "Data"}'})
        assert data[("title",)] == "Vélo"
        assert data[("resources", 0, "name")] == "Data"

    def test_default_text_order(self):
        assert v.default_text({"en": "b", "fr-t-en": "a"}) == "a"
        assert v.default_text({"en-t-fr": "b"}) == "b"


class TestVocabularies:
    def test_choice(self):
        check = v.quebec_vocabulary_choice({"vocabulary": "update_frequencies"}, {})
        assert check("annual") == "annual"
        with pytest.raises(tk.Invalid, match="Unknown value yearly"):
            check("yearly")

    @pytest.mark.parametrize("value", [{}, [], 7, True])
    def test_choice_of_another_type(self, value):
        """An empty object went through as empty and reached PostgreSQL (license_id)."""
        check = v.quebec_vocabulary_choice({"vocabulary": "licences"}, {})
        with pytest.raises(tk.Invalid, match="Expecting a text"):
            check(value)

    def test_choices(self):
        field = {"field_name": "categories", "vocabulary": "categories"}
        out, errors = _run(field, {"categories": ["transport", "sante"]}, v.quebec_vocabulary_choices)
        assert not errors and json.loads(out["categories"]) == ["sante", "transport"]
        out, errors = _run(field, {"categories": "transport"}, v.quebec_vocabulary_choices)
        assert json.loads(out["categories"]) == ["transport"]
        _out, errors = _run(field, {"categories": ["nope"]}, v.quebec_vocabulary_choices)
        assert "Unknown value nope" in errors[0]
        _out, errors = _run(field, {"categories": {"a": 1}}, v.quebec_vocabulary_choices)
        assert errors == ["Expecting a list of values"]


class TestDatesContactsLinks:
    def test_iso_date(self):
        assert v.quebec_iso_date("2024-02-29") == "2024-02-29"
        for bad in ("2023-02-29", "29/02/2024", "demain"):
            with pytest.raises(tk.Invalid, match="YYYY-MM-DD"):
                v.quebec_iso_date(bad)

    def _dates(self, start, end):
        field = {"field_name": "temporal_end", "not_before": "temporal_start"}
        schema = {"temporal_start": [v.quebec_iso_date],
                  "temporal_end": [v.quebec_iso_date, v.quebec_date_not_before(field, {})]}
        return validate({"temporal_start": start, "temporal_end": end}, schema, {})[1]

    def test_end_not_before_start(self):
        assert not self._dates("2020-01-01", "2020-01-01")
        assert self._dates("2020-01-02", "2020-01-01") == {
            "temporal_end": ["The end date must not be before the start date"]}
        assert "temporal_end" not in self._dates("bad", "2020-01-01")

    def test_email(self):
        assert v.quebec_email(" info@quebec.ca ") == "info@quebec.ca"
        for bad in ("info", "info@quebec", "a b@quebec.ca", "<x@y.ca>"):
            with pytest.raises(tk.Invalid, match="e-mail"):
                v.quebec_email(bad)

    def test_url(self):
        assert v.quebec_url("https://www.quebec.ca/a?b=c") == "https://www.quebec.ca/a?b=c"
        for bad in ("ftp://quebec.ca", "javascript:alert(1)", "www.quebec.ca", "http://", "http://a b.ca"):
            with pytest.raises(tk.Invalid, match="http or https"):
                v.quebec_url(bad)

    def test_positive_number(self):
        assert v.quebec_positive_number("1.5") == "1.5"
        for bad in ("-1", "beaucoup", "nan"):
            with pytest.raises(tk.Invalid):
                v.quebec_positive_number(bad)


class TestGeoJSON:
    MONTREAL = {"type": "Polygon", "coordinates": [[[-73.9, 45.4], [-73.4, 45.4], [-73.4, 45.7],
                                                     [-73.9, 45.7], [-73.9, 45.4]]]}

    def test_polygon_in_quebec(self):
        assert json.loads(v.quebec_geojson(json.dumps(self.MONTREAL))) == self.MONTREAL
        assert json.loads(v.quebec_geojson({"type": "Point", "coordinates": [-71.2, 46.8]}))["type"] == "Point"

    def test_feature_gives_its_geometry(self):
        assert json.loads(v.quebec_geojson({"type": "Feature", "geometry": self.MONTREAL}))["type"] == "Polygon"

    @pytest.mark.parametrize("value, message", [
        ("{not json", "Not valid JSON"),
        ({"type": "Polygon"}, "Not a GeoJSON geometry"),
        ({"type": "Circle", "coordinates": [-73, 45]}, "Not a GeoJSON geometry"),
        ({"type": "Point", "coordinates": ["-73", 45]}, "Not a GeoJSON geometry"),
        ({"type": "Point", "coordinates": [2.35, 48.85]}, "within Québec"),
        ({"type": "LineString", "coordinates": [[-73, 45.5], [-60, 40]]}, "within Québec"),
    ])
    def test_bad_extents(self, value, message):
        with pytest.raises(tk.Invalid, match=message):
            v.quebec_geojson(value)
