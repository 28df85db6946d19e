"""schema/jsonvalue.py: the one reader of field values stored as JSON text."""
from __future__ import annotations

import pytest

from ckanext.quebec.schema.jsonvalue import from_json


@pytest.mark.parametrize("value, expected", [
    ('{"fr": "Un", "en": "One"}', {"fr": "Un", "en": "One"}),
    (b'["a", "b"]', ["a", "b"]),
    ({"fr": "Un"}, {"fr": "Un"}),
    (["a"], ["a"]),
    (None, None),
    (3, 3),
])
def test_a_json_text_gives_what_it_holds_and_anything_else_itself(value, expected):
    assert from_json(value) == expected


def test_a_text_that_is_not_json_is_kept_by_default():
    assert from_json("{not json") == "{not json"


@pytest.mark.parametrize("invalid", [None, {}, []])
def test_a_text_that_is_not_json_gives_what_the_caller_asks(invalid):
    assert from_json("{not json", invalid=invalid) is invalid


def test_the_marker_is_not_confused_with_json_null():
    marker = object()
    assert from_json("null", invalid=marker) is None
    assert from_json("nul", invalid=marker) is marker
