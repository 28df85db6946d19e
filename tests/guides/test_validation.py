"""The guides' validators, without a database (the reuses use them too)."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.quebec.guides import validation


@pytest.mark.parametrize("value", ["\u0000", ["velos", "a\u0000b"], ["\u001b[31m"], [1], {"x": 1}, 5])
def test_text_list_refuses_what_is_no_list_of_plain_texts(value):
    # A NUL sent on as a dataset name made PostgreSQL fail (a 500 in the reuse API fuzz).
    with pytest.raises(tk.Invalid):
        validation.text_list(value)


def test_text_list_reads_lists_and_comma_separated_texts():
    assert validation.text_list(" velos, arbres ,velos,") == ["velos", "arbres"]
    assert validation.text_list(["a", " b "]) == ["a", "b"]
    assert validation.text_list(None) == [] and validation.text_list("") == []


@pytest.mark.parametrize("value, error", [(5, "Must be a text"), ("a\u0000", "Must not contain control characters"),
                                          ("", "Missing value"), ("x" * 11, "Must be at most 10 characters long")])
def test_text(value, error):
    with pytest.raises(tk.Invalid) as raised:
        validation.text(10)(value, {})
    assert raised.value.error == error
