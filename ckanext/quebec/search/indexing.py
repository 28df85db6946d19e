"""Indexing one dataset as CKAN does, on CKAN 2.12 and 2.11.

Shared by the rebuild's workers and by the reindexing of an organization's
or group's datasets.
"""
from __future__ import annotations

import copy
from typing import Any

import ckan.lib.search as search
import ckan.logic as logic
from ckan import model
from ckan.lib.plugins import DefaultDatasetForm, lookup_package_plugin, plugin_validate
from ckan.logic.schema import default_show_package_schema

# CKAN 2.12 indexes a dataset under its default and its custom show schemas;
# 2.11 indexes what package_show gives without validation and validates it
# under the show schema itself.
BOTH_SCHEMAS = hasattr(logic, "index_update_package")


def show_context() -> dict[str, Any]:
    """The context CKAN's rebuild gives package_show (one may serve many datasets)."""
    if BOTH_SCHEMAS:
        return {"ignore_auth": True}
    return {"ignore_auth": True, "validate": False, "use_cache": False}


def index_dataset(context: dict[str, Any], package_id: str, defer_commit: bool = False) -> None:
    """Index one dataset as CKAN does; ``context`` comes from show_context()."""
    if BOTH_SCHEMAS:
        _index_under_both_schemas(context, package_id, defer_commit)
        return
    dataset = logic.get_action("package_show")(context, {"id": package_id})
    search.index_for(model.Package).update_dict(dataset, defer_commit)


def _index_under_both_schemas(parent_context: dict[str, Any], package_id: str,
                              defer_commit: bool) -> None:
    """CKAN 2.12's ``index_update_package``, validating once when the dataset
    type has no schema of its own.

    CKAN means to skip the second validation when the type's show schema is
    the default one, but compares the two schemas with ``==``: validators
    such as ``one_of(...)`` are new closures on each call, so they never
    compare equal, and datasets of a type no IDatasetForm plugin claims are
    validated twice under the same schema (a quarter of a rebuild's Python
    time). Here the test is the one CKAN means: the type's plugin is CKAN's
    own DefaultDatasetForm, whose show schema is the default one. Any other
    plugin (scheming, a fallback, a subclass) gets both validations, as in
    CKAN; the rest is CKAN's ``package_show_default_and_custom_schemas`` step
    by step, and the documents are the same as CKAN's
    (tests/search/test_rebuild.py).
    """
    context = logic.fresh_context(parent_context, ignore_auth=True,
                                  use_cache=False, validate=False)
    dictized = logic.get_action("package_show")(context, {"id": package_id})
    with_default_schema, _errors = plugin_validate(
        object(), context, dictized, default_show_package_schema(), "package_show")
    plugin = lookup_package_plugin(dictized["type"])
    if type(plugin) is DefaultDatasetForm:
        # A copy, as CKAN's second validation gives: after_dataset_show
        # plugins change the custom dict only.
        with_custom_schema = _copy_shown(with_default_schema)
    else:
        with_custom_schema, _errors = plugin_validate(
            plugin, context, dictized, plugin.show_package_schema(), "package_show")
    logic.apply_after_dataset_show_plugins(context, with_custom_schema)
    # ``context`` still holds the package package_show read: the index reads
    # it again by id from the session's identity map, not from the database.
    logic.index_update_package_dicts((with_default_schema, with_custom_schema), defer_commit)


def _copy_shown(value: Any) -> Any:
    """A deep copy of a shown dataset: its dicts and lists are copied, JSON's
    scalars shared (they cannot change), anything else deep-copied. A fifth
    of the time of copy.deepcopy, which records every object it meets."""
    kind = type(value)
    if kind is dict:
        return {key: _copy_shown(item) for key, item in value.items()}
    if kind is list:
        return [_copy_shown(item) for item in value]
    if kind in _IMMUTABLE_SCALARS:
        return value
    return copy.deepcopy(value)


_IMMUTABLE_SCALARS = frozenset({str, int, float, bool, type(None)})
