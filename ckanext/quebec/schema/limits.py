"""What any text of the schemas may hold: no NUL, control or bidirectional-override character, and a bounded length.

Every field of the dataset and resource schemas runs ``quebec_text_limits``
first (it is in each preset of presets.yaml). A NUL would reach PostgreSQL,
which refuses it (an HTTP 500); other C0/C1 controls corrupt exports; the
bidirectional embeddings, overrides and isolates (U+202A-U+202E,
U+2066-U+2069) make a title read differently from what it is. Multi-line texts
(fields with ``markdown: true``) may hold tabs and line breaks; one-line texts
only around their text, where they are stripped. Each text is at most the
field's ``max_length`` characters (every preset sets one): CKAN indexes the
title in a B-tree, whose rows hold about 2,700 bytes. A field whose value may
come as JSON (``json_value: true``: bilingual texts, keywords, lists, GeoJSON)
has the texts inside its JSON checked, each within ``max_length``; the
value of any other field is a text (a number is taken as its text).
"""
from __future__ import annotations

import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from . import jsonvalue

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_REFUSED_IN_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_LINE_SPACE = " \t\r\n"


def refused_character(text: str, multi_line: bool = False) -> str | None:
    """The first character of ``text`` a text field refuses, or None."""
    if multi_line:
        found = _REFUSED_IN_MULTI_LINE.search(text)
    else:
        found = _REFUSED_IN_ONE_LINE.search(text.strip(_LINE_SPACE))
    return found.group() if found else None


def check(text: str, multi_line: bool = False, max_length: int | None = None) -> None:
    """:raises Invalid: ``text`` is too long or holds a refused character (named by its code point)."""
    if max_length is not None and len(text) > max_length:
        raise tk.Invalid(tk._("At most %(count)s characters") % {"count": max_length})
    character = refused_character(text, multi_line)
    if character is not None:
        raise tk.Invalid(tk._("The character U+{code:04X} is not allowed in this field")
                         .format(code=ord(character)))


def check_value(value: Any, multi_line: bool = False, max_length: int | None = None) -> None:
    """:func:`check` on every text of ``value`` (a text, or lists and objects of them, keys included)."""
    if isinstance(value, str):
        check(value, multi_line, max_length)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key, max_length=max_length)
            check_value(item, multi_line, max_length)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_value(item, multi_line, max_length)


@scheming_validator
def quebec_text_limits(field: dict, schema: dict) -> Callable:
    """The field's texts within its ``max_length`` and free of refused characters; else its later validators do not run."""
    multi_line = bool(field.get("markdown"))
    max_length = field.get("max_length")
    json_value = bool(field.get("json_value"))

    def validator(key, data, errors, context):
        value = data.get(key)
        try:
            if json_value:
                check_value(_decoded(value), multi_line, max_length)
            elif value is not tk.missing and value is not None:
                data[key] = value = _as_text(value)
                check(value, multi_line, max_length)
        except tk.Invalid as error:
            errors[key].append(error.error)
            # Later validators may hand the text to PostgreSQL (name, owner_org).
            raise tk.StopOnError

    return validator


def _as_text(value: Any) -> str:
    """A text, or a number as its text (as unicode_safe gives it); no other type reaches PostgreSQL."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Expecting a text"))
    return value


def _decoded(value: Any) -> Any:
    """What a JSON text holds (its characters checked first), or the value itself."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        check(value, multi_line=True)
        return jsonvalue.from_json(value)  # not JSON: the field's own validator says so
    return value
