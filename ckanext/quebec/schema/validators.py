"""Validators of the Québec metadata schema, and the names they are registered under.

Bilingual texts, keywords and core fields are in bilingual.py, the
geographic coverage in coverage.py; this module holds vocabularies, dates,
contacts, links and numbers, and re-exports the others' public names so
``validators.<name>`` keeps working for every importer.
"""
from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from . import groups, limits, urls, vocabularies
from .bilingual import (  # noqa: F401 (re-exported)
    KEYWORD_MAX_LENGTH, LANGUAGES, MACHINE_TAGS, TRANSLATION_KEYS, add_error, check_languages, check_text,
    default_text, drop_field, is_empty, is_machine_translated, language_of, load_json, parse_keywords,
    parse_translated_text, quebec_core_fields_from_translated, quebec_keywords, quebec_translated_output,
    quebec_translated_text, required_languages)
from .coverage import (  # noqa: F401 (re-exported)
    bbox_polygon, parse_geojson, quebec_geojson, quebec_spatial_from_territories)

missing = tk.missing
Invalid = tk.Invalid

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")


# Vocabularies

@scheming_validator
def quebec_vocabulary_choice(field: dict, schema: dict) -> Callable:
    """One value of the vocabulary named by the field's ``vocabulary``."""
    name = field["vocabulary"]

    def validator(value):
        if value is missing or value is None or value == "":
            return value
        if not isinstance(value, str):
            raise Invalid(tk._("Expecting a text"))
        allowed = [entry["value"] for entry in vocabularies.get(name)]
        if value not in allowed:
            raise Invalid(tk._("Unknown value {value}. Allowed values: {values}")
                          .format(value=value, values=", ".join(allowed)))
        return value

    return validator


@scheming_validator
def quebec_vocabulary_choices(field: dict, schema: dict) -> Callable:
    """Values of the vocabulary named by the field's ``vocabulary``, stored as a JSON list.

    Takes a list, a JSON list or a single value (a form's one ticked box).
    """
    name = field["vocabulary"]

    def validator(key, data, errors, context):
        if errors[key]:
            return
        value = data.get(key, missing)
        if is_empty(value) or value == []:
            if field.get("required"):
                errors[key].append(tk._("Missing value"))
                return
            drop_field(key, data)
        if isinstance(value, str):
            try:
                value = load_json(value) if value.startswith("[") else [value]
            except Invalid as error:
                return add_error(key, errors, error)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[key].append(tk._("Expecting a list of values"))
            return
        allowed = [entry["value"] for entry in vocabularies.get(name)]
        for item in value:
            if item not in allowed:
                errors[key].append(tk._("Unknown value {value}. Allowed values: {values}")
                                   .format(value=item, values=", ".join(allowed)))
                return
        data[key] = json.dumps([v for v in allowed if v in value])

    return validator


# Dates, contacts, links, numbers

def parse_date(value: Any) -> datetime.date:
    """An ISO 8601 calendar date (YYYY-MM-DD).

    :raises Invalid: anything else.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(tk._("Not a valid date (expected YYYY-MM-DD)"))


def quebec_iso_date(value: Any) -> Any:
    """An ISO 8601 date, stored as YYYY-MM-DD."""
    if is_empty(value):
        return value
    return parse_date(value).isoformat()


@scheming_validator
def quebec_date_not_before(field: dict, schema: dict) -> Callable:
    """A date not before the one of the field named by ``not_before`` (the start date)."""
    other = field["not_before"]

    def validator(key, data, errors, context):
        if errors[key] or is_empty(data.get(key, missing)):
            return
        start = data.get(key[:-1] + (other,), missing)
        if is_empty(start):
            return
        try:
            end, start = parse_date(data[key]), parse_date(start)
        except Invalid:
            return  # each field reports its own bad date
        if end < start:
            errors[key].append(tk._("The end date must not be before the start date"))

    return validator


def quebec_email(value: Any) -> Any:
    if is_empty(value):
        return value
    value = str(value).strip()
    if not _EMAIL.match(value):
        raise Invalid(tk._("Not a valid e-mail address"))
    return value


def quebec_url(value: Any) -> Any:
    """An absolute http or https URL."""
    if is_empty(value):
        return value
    from urllib.parse import urlsplit

    value = str(value).strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise Invalid(tk._("Not a valid http or https URL"))
    return value


def quebec_plain_text(value: Any) -> Any:
    """A one-language text without HTML."""
    if is_empty(value):
        return value
    if not isinstance(value, str):
        raise Invalid(tk._("Expecting a text"))
    check_text(value)
    return value.strip()


def quebec_positive_number(value: Any) -> Any:
    if is_empty(value):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(tk._("Must be a positive number"))
    if number < 0 or number != number:
        raise Invalid(tk._("Must be a positive number"))
    return value if isinstance(value, (int, float)) else str(value).strip()


def get_validators() -> dict[str, Callable]:
    return {
        "quebec_translated_text": quebec_translated_text,
        "quebec_translated_output": quebec_translated_output,
        "quebec_keywords": quebec_keywords,
        "quebec_core_fields_from_translated": quebec_core_fields_from_translated,
        "quebec_vocabulary_choice": quebec_vocabulary_choice,
        "quebec_vocabulary_choices": quebec_vocabulary_choices,
        "quebec_iso_date": quebec_iso_date,
        "quebec_date_not_before": quebec_date_not_before,
        "quebec_email": quebec_email,
        "quebec_url": quebec_url,
        "quebec_plain_text": quebec_plain_text,
        "quebec_text_limits": limits.quebec_text_limits,
        "quebec_resource_url": urls.quebec_resource_url,
        "quebec_positive_number": quebec_positive_number,
        "quebec_geojson": quebec_geojson,
        "quebec_spatial_from_territories": quebec_spatial_from_territories,
        "quebec_categories_from_groups": groups.quebec_categories_from_groups,
    }
