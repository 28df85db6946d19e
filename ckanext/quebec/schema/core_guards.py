"""Guards on CKAN core actions: a malformed id, flag or paging value is a 404 or 409, not a 500.

CKAN 2.11.6 and 2.12.0 answer some such values with a server error, with no
plugin involved: package_show, resource_show and the ``*_delete`` actions
with an id that is a list, a number, an object or holds a NUL character;
organization_list with ``all_fields=null`` or ``all_fields=""``;
organization_show with ``include_datasets=`` (empty). One table, ``GUARDS``,
names each core action the portal serves and the kind of each of its own
parameters; a chained action per entry checks those parameters only, then
calls core's action, which checks access as before. A malformed value is
refused before that check, for everyone alike: the answer says nothing about
whether an object exists.

package_search is guarded by quebec_search (search/actions.py).
"""
from __future__ import annotations

import unicodedata
from typing import Any, Callable

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

__all__: list[str] = []

ID, FLAG, COUNT = "id", "flag", "count"
# PostgreSQL's integer: larger limits and offsets are no use and overflow core's queries.
MAX_COUNT = 2 ** 31 - 1

_GROUP_SHOW = {"id": ID, "include_datasets": FLAG, "include_dataset_count": FLAG,
               "include_extras": FLAG, "include_users": FLAG, "include_groups": FLAG,
               "include_tags": FLAG, "include_followers": FLAG, "include_member_count": FLAG}
_GROUP_LIST = {"all_fields": FLAG, "include_dataset_count": FLAG, "include_extras": FLAG,
               "include_tags": FLAG, "include_groups": FLAG, "include_users": FLAG,
               "include_member_count": FLAG, "limit": COUNT, "offset": COUNT}
_ACTIVITY_LIST = {"id": ID, "include_hidden_activity": FLAG, "limit": COUNT, "offset": COUNT}

# Core action -> parameter -> kind.
GUARDS: dict[str, dict[str, str]] = {
    "package_show": {"id": ID, "use_default_schema": FLAG, "include_plugin_data": FLAG,
                     "include_tracking": FLAG},
    "resource_show": {"id": ID, "include_tracking": FLAG},
    "package_delete": {"id": ID},
    "resource_delete": {"id": ID},
    "organization_delete": {"id": ID},
    "group_delete": {"id": ID},
    "organization_show": _GROUP_SHOW,
    "group_show": _GROUP_SHOW,
    "organization_list": _GROUP_LIST,
    "group_list": _GROUP_LIST,
    "user_show": {"id": ID, "include_datasets": FLAG, "include_num_followers": FLAG,
                  "include_plugin_extras": FLAG},
    "member_list": {"id": ID},
    "resource_view_list": {"id": ID},
}
# Those of ckanext-activity, guarded when it is enabled.
ACTIVITY_GUARDS: dict[str, dict[str, str]] = {
    "package_activity_list": _ACTIVITY_LIST,
    "organization_activity_list": _ACTIVITY_LIST,
    "group_activity_list": _ACTIVITY_LIST,
}


def get_actions() -> dict[str, Action]:
    """A guarding chained action for each core action of the table (and ckanext-activity's)."""
    table = dict(GUARDS, **(ACTIVITY_GUARDS if p.plugin_loaded("activity") else {}))
    return {name: _guarded(name, kinds) for name, kinds in table.items()}


def _guarded(name: str, kinds: dict[str, str]) -> Action:
    """Core's action ``name``, chained: its parameters of ``kinds`` checked first."""
    def action(next_action: Action, context: Context, data_dict: DataDict) -> Any:
        return next_action(context, _checked(kinds, data_dict))

    action.__name__ = name
    action.__doc__ = (f"Core's {name}; a malformed {', '.join(sorted(kinds))} is refused "
                      "with a validation error (409) or not found (404), not a server error.")
    if name.endswith(("_show", "_list")):
        action = tk.side_effect_free(action)
    return tk.chained_action(action)


def _checked(kinds: dict[str, str], data_dict: DataDict) -> DataDict:
    """``data_dict`` with its flags and counts as core expects them; ValidationError if malformed.

    A parameter given as null is left out (core's default applies).
    """
    data = {key: value for key, value in data_dict.items()
            if not (key in kinds and value is None)}
    errors: dict[str, list[str]] = {}
    for key, kind in kinds.items():
        if key not in data:
            continue
        try:
            data[key] = _CHECKS[kind](data[key])
        except tk.Invalid as error:
            errors[key] = [error.error]
    if errors:
        raise tk.ValidationError(errors)
    return data


def _id(value: Any) -> str:
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be a string"))
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise tk.ObjectNotFound(tk._("No object has an id with control characters"))
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return tk.asbool(value)
        except ValueError:
            pass
    if value in (0, 1) and isinstance(value, int):
        return bool(value)
    raise tk.Invalid(tk._("Must be true or false"))


def _count(value: Any) -> int:
    number = value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value)
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= MAX_COUNT:
        return number
    raise tk.Invalid(tk._("Must be a whole number from {low} to {high}").format(
        low=0, high=MAX_COUNT))


_CHECKS: dict[str, Callable[[Any], Any]] = {ID: _id, FLAG: _flag, COUNT: _count}
