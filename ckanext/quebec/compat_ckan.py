"""Every use of CKAN's internals by the suite, in one place, for the CKAN versions tested.

CKAN's plugin toolkit and interfaces have no hook for what this module
does: routing the search layer to PostgreSQL (``make_connection`` and its
copies, the Solr schema check, ``rebuild``), indexing a dataset as CKAN's
own indexer does (its private ``package_show_default_and_custom_schemas``
steps on 2.12), reading and clearing the index, and a few ``ckan.lib``
functions. They change between CKAN releases without notice, so the suite
refuses to start on a version it was not tested on (:data:`TESTED`), and
tests/test_compat_ckan.py checks that every binding CKAN reads is the
patched one. docs/internals.md lists every private name the suite uses.
"""
from __future__ import annotations

import copy
import importlib
from typing import Any, Callable, Optional

import ckan
import ckan.lib.search as search
import ckan.logic as logic
from ckan import model
from ckan.lib.plugins import (DefaultDatasetForm, get_permission_labels,  # noqa: F401
                              lookup_package_plugin, plugin_validate)
from ckan.logic.schema import default_show_package_schema

# (major, minor) releases of CKAN the suite is tested on.
TESTED = ((2, 11), (2, 12))


class UntestedCKANVersion(RuntimeError):
    """CKAN is a release whose internals the suite was not tested with."""


def require_tested_version(version: str = ckan.__version__) -> None:
    """Stop start-up on a CKAN release other than :data:`TESTED`, saying why."""
    try:
        release = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        release = ()
    if release not in TESTED:
        tested = ", ".join(f"{major}.{minor}.x" for major, minor in TESTED)
        raise UntestedCKANVersion(
            f"ckanext-quebec relies on internals of CKAN tested on {tested} only; "
            f"this is CKAN {version}. Check docs/internals.md against this version "
            "and add it to ckanext.quebec.compat_ckan.TESTED.")


require_tested_version()

# -- search layer: the bindings CKAN reads, by name ----------------------------
# Each module of CKAN that holds its own binding of the name (``from .common
# import make_connection``): each must be replaced, or part of CKAN goes on
# using Solr. tests/test_compat_ckan.py looks for any other.
PATCHED_BINDINGS: dict[str, tuple[str, ...]] = {
    "make_connection": ("ckan.lib.search", "ckan.lib.search.common",
                        "ckan.lib.search.index", "ckan.lib.search.query"),
    # run by CKAN at start-up and after every plugin (un)load
    "check_solr_schema_version": ("ckan.lib.search",),
    "rebuild": ("ckan.lib.search", "ckan.logic.action.create", "ckan.logic.action.delete"),
}
_originals: dict[str, Any] = {}


def original(name: str) -> Any:
    """CKAN's own function under ``name``, whether it is patched or not."""
    if name in _originals:
        return _originals[name]
    return getattr(importlib.import_module(PATCHED_BINDINGS[name][0]), name)


def patch(name: str, replacement: Callable[..., Any]) -> None:
    """Bind ``replacement`` in every CKAN module that holds ``name`` (idempotent)."""
    _originals.setdefault(name, original(name))
    for module_name in PATCHED_BINDINGS[name]:
        setattr(importlib.import_module(module_name), name, replacement)


def unpatch_all() -> None:
    """Give every patched module CKAN's own functions back (idempotent)."""
    for name, function in list(_originals.items()):
        for module_name in PATCHED_BINDINGS[name]:
            setattr(importlib.import_module(module_name), name, function)
    _originals.clear()


def is_patched(name: str, replacement: Callable[..., Any]) -> bool:
    return all(getattr(importlib.import_module(module_name), name) is replacement
               for module_name in PATCHED_BINDINGS[name])


# -- the index: read, cleared, rebuilt -----------------------------------------
def reindex(package_id: Optional[str] = None, **options: Any) -> None:
    """CKAN's ``ckan.lib.search.rebuild``, read when called (the patched one).

    With ``package_ids`` CKAN's rebuild (2.11, 2.12) indexes each dataset with
    its commit deferred and never commits: on Solr they would be searchable
    only at the next automatic soft commit. They are committed here, unless
    the caller defers it.

    Outside the datasets' own edit (a job, after a commit) they are held
    from before they are read until their documents are written
    (:func:`ckanext.quebec.held.held`), a batch at a time: an edit committed
    meanwhile is never overwritten by the copy read before it.
    """
    from ckanext.quebec.held import batches, held

    package_ids = options.get("package_ids")
    if package_id or not package_ids:
        with held([package_id] if package_id else []):
            search.rebuild(package_id, **options)
        return
    # A batch at a time: a long list keeps no dataset from its editors longer
    # than its batch takes (held.py).
    for batch in batches(package_ids):
        with held(batch):
            search.rebuild(None, **{**options, "package_ids": batch})
    if not options.get("defer_commit"):
        search.commit()


def indexed_dataset_ids(max_results: int) -> list[str]:
    return search.query_for(model.Package).get_all_entity_ids(max_results=max_results)


def clear_dataset_index() -> None:
    search.index_for(model.Package).clear()


def text_traceback() -> str:
    return search.text_traceback()


# -- indexing one dataset as CKAN does, on CKAN 2.12 and 2.11 -------------------
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


def validate_dataset(context: dict[str, Any], dataset: dict[str, Any],
                     create: bool) -> tuple[Any, dict[str, Any]]:
    """package_create's or package_update's validation of ``dataset``, writing nothing."""
    plugin = lookup_package_plugin(dataset.get("type"))
    schema = plugin.create_package_schema() if create else plugin.update_package_schema()
    return plugin_validate(plugin, context, dataset, schema,
                           "package_create" if create else "package_update")


def resource_upload_path(resource: dict[str, Any]) -> str:
    """Where CKAN's resource uploader keeps an uploaded resource's file."""
    from ckan.lib import uploader

    return uploader.get_resource_uploader(resource).get_path(resource["id"])
