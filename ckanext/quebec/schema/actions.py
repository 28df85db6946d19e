"""API actions of the quebec_schema plugin."""
from __future__ import annotations

import copy
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

from . import groups, vocabularies

__all__ = ["quebec_vocabulary_list", "member_create", "member_delete"]


@tk.side_effect_free
def quebec_vocabulary_list(context: Context, data_dict: DataDict) -> list[Any]:
    """List the portal's vocabularies, or the entries of one of them.

    Without ``name``, returns the names of the vocabularies (categories,
    update frequencies, licences, data languages, resource types,
    territories...). With ``name``, returns that vocabulary's entries, each
    with its ``value``, its ``label`` in French and English
    (``{"fr": ..., "en": ...}``) and, where one exists, its URI (``uri``,
    ``uris``, or ``eu_theme`` for categories); territories also have their
    ``kind``, ``code``, ``parents`` and ``bbox`` [west, south, east, north].

    :param name: the vocabulary to list, e.g. ``update_frequencies`` (optional)
    :type name: string
    :param language: ``fr`` or ``en``: adds to each entry a ``display_label``
        in that language (optional)
    :type language: string

    :returns: the names of the vocabularies, or the entries of one
    :rtype: list of strings, or list of dictionaries
    """
    tk.check_access("quebec_vocabulary_list", context, data_dict)
    data, errors = tk.navl_validate(data_dict, _vocabulary_list_schema(), context)
    if errors:
        raise tk.ValidationError(errors)

    name = data.get("name")
    if not name:
        return vocabularies.names()
    entries = copy.deepcopy(vocabularies.get(name))
    language = data.get("language")
    if language:
        for entry in entries:
            entry["display_label"] = entry["label"][language]
    return entries


@tk.chained_action
def member_create(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Core's member_create; a dataset added to a category's group also gets that category.

    See ckanext.quebec.schema.groups.
    """
    result = up_func(context, data_dict)
    groups.membership_changed(context, data_dict)
    return result


@tk.chained_action
def member_delete(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Core's member_delete; a dataset taken out of a category's group loses that category.

    See ckanext.quebec.schema.groups.
    """
    result = up_func(context, data_dict)
    groups.membership_changed(context, data_dict)
    return result


def get_actions() -> dict:
    return {
        "quebec_vocabulary_list": quebec_vocabulary_list,
        "member_create": member_create,
        "member_delete": member_delete,
    }


def _vocabulary_list_schema() -> Schema:
    ignore_missing = tk.get_validator("ignore_missing")
    unicode_safe = tk.get_validator("unicode_safe")
    return {
        "name": [ignore_missing, unicode_safe, _known_vocabulary],
        "language": [ignore_missing, unicode_safe, _supported_language],
    }


def _known_vocabulary(value: str) -> str:
    if value not in vocabularies.names():
        raise tk.Invalid(
            tk._("Unknown vocabulary. Known vocabularies: {names}").format(
                names=", ".join(vocabularies.names())
            )
        )
    return value


def _supported_language(value: str) -> str:
    if value not in vocabularies.LANGUAGES:
        raise tk.Invalid(tk._("Language must be fr or en"))
    return value
