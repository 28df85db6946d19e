"""Actions of quebec_search: CKAN's package_search, hardened against blank numbers."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

__all__ = ["package_search"]

# CKAN's natural_number_validator fails on a blank value with a TypeError, which
# the API answers with a 500 (on Solr too). A blank value means "not given".
_NATURAL_NUMBER_PARAMETERS = ("start", "rows", "facet.mincount")


@tk.chained_action
@tk.side_effect_free
def package_search(original_action: Action, context: Context,
                   data_dict: DataDict) -> Any:
    """CKAN's package_search, where a blank ``start``, ``rows`` or
    ``facet.mincount`` is taken as not given instead of failing. See CKAN's
    package_search for the parameters and the result.
    """
    cleaned = {
        key: value for key, value in data_dict.items()
        if not (key in _NATURAL_NUMBER_PARAMETERS and isinstance(value, str)
                and not value.strip())
    }
    return original_action(context, cleaned)


def get_actions() -> dict[str, Any]:
    return {"package_search": package_search}
