"""Schemas of the reuses' actions (the text, list and vocabulary validators are the guides')."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, Schema

from ckanext.quebec.guides.validation import (bounded_int, flag, one_of, text, text_list,
                                              vocabulary_value)

from .store import LANGUAGES

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
URL_MAX = 500
DATASETS_MAX = 50
IMAGE_MAX_BYTES = 5 * 1024 * 1024
STATES = ("pending", "approved", "rejected")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def web_address(value: Any, context: Context) -> str:
    """An http or https address of at most URL_MAX characters."""
    value = text(URL_MAX)(value, context)
    if not _URL.match(value):
        raise tk.Invalid(tk._("Must be a web address starting with http:// or https://"))
    return value


def dataset_references(value: Any, context: Context) -> list[str]:
    values = text_list(value)
    if not values:
        raise tk.Invalid(tk._("Name at least one dataset"))
    if len(values) > DATASETS_MAX or any(len(item) > 200 for item in values):
        raise tk.Invalid(tk._("Must be at most {max} datasets").format(max=DATASETS_MAX))
    return values


def reuse_schema() -> Schema:
    schema: Schema = {}
    for language in LANGUAGES:
        schema[f"title_{language}"] = [text(TITLE_MAX)]
        schema[f"description_{language}"] = [text(DESCRIPTION_MAX)]
    schema.update({"reuse_type": [vocabulary_value("reuse_types")], "url": [web_address],
                   "datasets": [dataset_references]})
    return schema


def search_schema() -> Schema:
    optional = tk.get_validator("ignore_missing")
    return {
        "reuse_type": [optional, vocabulary_value("reuse_types")],
        "category": [optional, vocabulary_value("categories")],
        "organization": [optional, text(200)],
        "dataset": [optional, text(200)],
        "state": [optional, one_of(STATES)],
        "include_pending": [optional, flag],
        "limit": [optional, bounded_int(1, 100)],
        "offset": [optional, bounded_int(0, 10_000)],
    }


def id_schema() -> Schema:
    return {"id": [text(200)]}
