"""API actions of the quebec_schema plugin."""
from __future__ import annotations

import copy
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

from . import core_guards, groups, urls, vocabularies

__all__ = ["quebec_vocabulary_list", "member_create", "member_delete", "package_create",
           "package_update", "resource_create", "resource_update"]


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


def _refusing_unreadable_urls(name: str) -> Any:
    """Core's action ``name``, chained: a resource whose url core cannot parse is refused (409)."""

    @tk.chained_action
    def action(up_func: Any, context: Context, data_dict: DataDict) -> Any:
        _refuse_unreadable_urls(name, context, data_dict)
        return up_func(context, data_dict)

    action.__name__ = name
    action.__doc__ = (f"Core's {name}; a resource whose url core cannot parse is "
                      "refused with a validation error (409), not a server error.")
    return action


package_create = _refusing_unreadable_urls("package_create")
package_update = _refusing_unreadable_urls("package_update")  # package_patch too
resource_create = _refusing_unreadable_urls("resource_create")
resource_update = _refusing_unreadable_urls("resource_update")  # resource_patch too


def get_actions() -> dict:
    return {
        "quebec_vocabulary_list": quebec_vocabulary_list,
        "member_create": member_create,
        "member_delete": member_delete,
        "package_create": package_create,
        "package_update": package_update,
        "resource_create": resource_create,
        "resource_update": resource_update,
        **core_guards.get_actions(),
    }


def _refuse_unreadable_urls(action: str, context: Context, data_dict: DataDict) -> None:
    """Raise ValidationError for a resource url core cannot parse (see urls.py).

    Core hands each resource's url to its uploader (urlparse) before the
    schema validates it: a number, an object or ``http://[x`` there was an
    HTTP 500. Whoever may not call ``action`` is told so first (403), as core would.
    """
    one_resource = action.startswith("resource_")
    resources = [data_dict] if one_resource else data_dict.get("resources")
    if not isinstance(resources, list):
        return
    problems = [urls.problem(resource.get("url")) if isinstance(resource, dict) else None
                for resource in resources]
    errors = [{"url": [message]} if message else {} for message in problems]
    if not any(errors):
        return
    tk.check_access(action, context, data_dict)
    raise tk.ValidationError(errors[0] if one_resource else {"resources": errors})


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
