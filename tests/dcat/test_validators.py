"""The catalogue parameters' validators, without a database."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.quebec.dcat import validators


@pytest.mark.parametrize("value, expected", [("", 1), ("3", 3), (" 2 ", 2), (7, 7)])
def test_pages(value, expected):
    assert validators.catalog_page(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "abc", "99999999999999999999", [], True, None])
def test_bad_pages(value):
    with pytest.raises(tk.Invalid):
        validators.catalog_page(value)


def test_dates_are_normalized():
    assert validators.catalog_date("2024-05-01") == "2024-05-01T00:00:00"
    assert validators.catalog_date("2024-05-01T12:00:00-04:00") == "2024-05-01T16:00:00"
    for bad in ("2020-13-45", "pas-une-date", "99999-01-01", {}):
        with pytest.raises(tk.Invalid):
            validators.catalog_date(bad)


def test_formats_texts_and_profiles():
    assert validators.catalog_format("ttl") == "ttl"
    for bad in ("foo", "TTL", "nt", ["ttl"]):
        with pytest.raises(tk.Invalid):
            validators.catalog_format(bad)
    with pytest.raises(tk.Invalid):
        validators.catalog_text("a\x00b")
    assert validators.catalog_profiles("a, b") == ["a", "b"]
    with pytest.raises(tk.Invalid):
        validators.catalog_profiles({"a": 1})
