"""Actions of quebec_search: CKAN's package_search, hardened against the values
CKAN's own code fails on with a 500 (on Solr too)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import asbool
from ckan.types import Action, Context, DataDict

__all__ = ["package_search"]

# CKAN's natural_number_validator fails on a blank value with a TypeError, which
# the API answers with a 500 (on Solr too). A blank value means "not given".
_NATURAL_NUMBER_PARAMETERS = ("start", "rows", "facet.mincount")
# Refused here as validation errors:
# - read with asbool(), whose ValueError on "abc" the API answers with a 500
_BOOLEAN_PARAMETERS = ("include_private", "include_drafts", "include_deleted",
                       "use_default_schema")
# - numbers: natural_number_validator fails on a list or an object (JSON)
_NUMBER_PARAMETERS = ("rows", "start", "facet.mincount", "facet.limit")
# - lists of names: joined or extended, with a TypeError on anything else
#   (fl may also be one string)
_STRING_LIST_PARAMETERS = ("fl", "fq_list")


@tk.chained_action
@tk.side_effect_free
def package_search(original_action: Action, context: Context,
                   data_dict: DataDict) -> Any:
    """CKAN's package_search, where a blank ``start``, ``rows`` or
    ``facet.mincount`` is taken as not given instead of failing, and a
    boolean parameter that is not one (``include_drafts=abc``) is refused.
    See CKAN's package_search for the parameters and the result.

    :raises ckan.logic.ValidationError: a parameter CKAN would fail on
    """
    _refuse_bad_parameters(data_dict)
    cleaned = {
        key: value for key, value in data_dict.items()
        if not (key in _NATURAL_NUMBER_PARAMETERS and isinstance(value, str)
                and not value.strip())
    }
    return original_action(context, cleaned)


def _refuse_bad_parameters(data_dict: DataDict) -> None:
    errors: dict[str, list[str]] = {}
    for key in _BOOLEAN_PARAMETERS:
        try:
            asbool(data_dict.get(key))
        except ValueError:
            errors[key] = [tk._("Must be true or false")]
    for key in _NUMBER_PARAMETERS:
        if isinstance(data_dict.get(key), (list, tuple, dict)):
            errors[key] = [tk._("Invalid integer")]
    for key in _STRING_LIST_PARAMETERS:
        value = data_dict.get(key)
        if key not in data_dict or (key == "fl" and (value is None or isinstance(value, str))):
            continue
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            errors[key] = [tk._("Not a list of strings")]
    if errors:
        raise tk.ValidationError(errors)


def get_actions() -> dict[str, Any]:
    return {"package_search": package_search}
