"""Validators and schemas of the guides' actions: plain functions, testable without a database."""
from __future__ import annotations

import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.types import Context, Schema

from ckanext.quebec.schema import vocabularies

from .store import LANGUAGES

TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 100_000
QUERY_MAX = 200
PAGE_MAX = 100
OFFSET_MAX = 10_000
STATES = ("draft", "published")
SORTS = ("modified", "title")
# Control characters other than tab and line breaks: never part of a text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")


def text(maximum: int, required: bool = True) -> Callable[[Any, Context], str]:
    """A validator of a text of at most ``maximum`` characters, stripped, without control characters."""
    def validator(value: Any, context: Context) -> str:
        if value is tk.missing or value is None:
            value = ""
        if not isinstance(value, str):
            raise tk.Invalid(tk._("Must be a text"))
        value = value.strip()
        if _CONTROL.search(value):
            raise tk.Invalid(tk._("Must not contain control characters"))
        if required and not value:
            raise tk.Invalid(tk._("Missing value"))
        if len(value) > maximum:
            raise tk.Invalid(tk._("Must be at most {max} characters long").format(max=maximum))
        return value
    return validator


def guide_name(value: Any, context: Context) -> str:
    """The guide's URL name: 2 to 100 lowercase letters, digits, - and _."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise tk.Invalid(tk._("Must be 2 to 100 lowercase letters (a-z), digits, - or _"))
    return value


def text_list(value: Any) -> list[str]:
    """A list of texts, without control characters, from a list or a comma-separated text."""
    if value is tk.missing or value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise tk.Invalid(tk._("Must be a list of texts"))
    if any(_CONTROL.search(item) for item in value):
        raise tk.Invalid(tk._("Must not contain control characters"))
    return list(dict.fromkeys(item.strip() for item in value if item.strip()))


def vocabulary_values(name: str, required: bool) -> Callable[[Any, Context], list[str]]:
    """A validator of a list of values of vocabulary ``name``."""
    def validator(value: Any, context: Context) -> list[str]:
        values = text_list(value)
        known = {entry["value"] for entry in vocabularies.get(name)}
        unknown = [item for item in values if item not in known]
        if unknown:
            raise tk.Invalid(tk._("Unknown value: {value}").format(value=unknown[0][:100]))
        if required and not values:
            raise tk.Invalid(tk._("Missing value"))
        return values
    return validator


def vocabulary_value(name: str) -> Callable[[Any, Context], str]:
    """A validator of one value of vocabulary ``name``."""
    def validator(value: Any, context: Context) -> str:
        if not isinstance(value, str) or not value:
            raise tk.Invalid(tk._("Missing value"))
        if vocabularies.entry(name, value) is None:
            raise tk.Invalid(tk._("Unknown value: {value}").format(value=value[:100]))
        return value
    return validator


def one_of(choices: tuple[str, ...]) -> Callable[[Any, Context], str]:
    def validator(value: Any, context: Context) -> str:
        if value not in choices:
            raise tk.Invalid(tk._("Must be one of: {choices}").format(choices=", ".join(choices)))
        return value
    return validator


def bounded_int(low: int, high: int) -> Callable[[Any, Context], int]:
    def validator(value: Any, context: Context) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise tk.Invalid(tk._("Must be a whole number"))
        try:
            number = int(value)
        except ValueError:
            raise tk.Invalid(tk._("Must be a whole number"))
        if not low <= number <= high:
            raise tk.Invalid(tk._("Must be between {low} and {high}").format(low=low, high=high))
        return number
    return validator


def flag(value: Any, context: Context) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise tk.Invalid(tk._("Must be true or false"))


def guide_schema() -> Schema:
    """A guide's fields as create and update check them (after update merged the stored ones)."""
    schema: Schema = {"name": [guide_name]}
    for language in LANGUAGES:
        schema[f"title_{language}"] = [text(TITLE_MAX)]
        schema[f"summary_{language}"] = [text(SUMMARY_MAX)]
        schema[f"body_{language}"] = [text(BODY_MAX)]
    schema.update({
        "audience": [vocabulary_values("guide_audiences", required=True)],
        "topic": [vocabulary_value("guide_topics")],
        "categories": [vocabulary_values("categories", required=False)],
        "datasets": [text_list],
    })
    return schema


def search_schema() -> Schema:
    optional = tk.get_validator("ignore_missing")
    return {
        "q": [optional, text(QUERY_MAX, required=False)],
        "audience": [optional, vocabulary_value("guide_audiences")],
        "topic": [optional, vocabulary_value("guide_topics")],
        "category": [optional, vocabulary_value("categories")],
        "dataset": [optional, text(200)],
        "language": [optional, one_of(LANGUAGES)],
        "state": [optional, one_of(STATES)],
        "include_drafts": [optional, flag],
        "sort": [optional, one_of(SORTS)],
        "limit": [optional, bounded_int(1, PAGE_MAX)],
        "offset": [optional, bounded_int(0, OFFSET_MAX)],
    }


def id_schema() -> Schema:
    return {"id": [text(200)]}


def show_schema() -> Schema:
    return {"id": [text(200)],
            "revision": [tk.get_validator("ignore_missing"), bounded_int(1, 1_000_000)]}


def user_schema() -> Schema:
    return {"user": [text(200)]}
