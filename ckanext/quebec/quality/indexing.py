"""What the quebec_quality plugin puts into the search index and package_show, and its facets.

Index fields: ``quality_level`` (faible, suffisant, bon, excellent),
``quality_score`` (0-405), ``quality_reference`` (true/false) and
``quality_sort`` (level rank then zero-padded score, a string that sorts the
same on Solr and quebec_search: ``sort=quality_sort desc``).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from . import score, store

log = logging.getLogger(__name__)
T = TypeVar("T")

FACETS = ("quality_level", "quality_reference")
# PostgreSQL's undefined_table and undefined_column: the plugin's migrations not run (yet).
_NOT_MIGRATED = ("42P01", "42703")


def _(message: str) -> str:
    return message


LEVEL_LABELS = {"excellent": _("Excellent"), "bon": _("Good"), "suffisant": _("Sufficient"),
                "faible": _("Poor")}


def add_quality_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    # package_show's quebec_quality (an object) is not a field: Solr would read
    # it as a child document and refuse the dataset (CKAN 2.11 indexes
    # package_show's output). The flat fields below are what is searched.
    pkg_dict.pop("quebec_quality", None)
    package_id = pkg_dict.get("id")
    if not package_id:
        return pkg_dict
    current, reference = _read(lambda: (store.current_dataset(package_id), store.current_reference(package_id)),
                               (None, None))
    pkg_dict["quality_reference"] = "true" if reference else "false"
    if current:
        pkg_dict["quality_level"] = current["level"]
        pkg_dict["quality_score"] = current["score"]
        pkg_dict["quality_sort"] = f"{score.LEVELS.index(current['level']) + 1}{current['score']:03d}"
    else:
        pkg_dict["quality_sort"] = "0000"
    return pkg_dict


def add_to_dataset(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """package_show's ``quebec_quality`` (the contract with the DCAT profile), or None."""
    from . import runner

    if pkg_dict.get("id"):
        pkg_dict["quebec_quality"] = _read(lambda: runner.summary(pkg_dict["id"]), None)
    return pkg_dict


def _read(read: Callable[[], T], default: T) -> T:
    """``read()`` in a savepoint, or ``default`` when the quality tables are not migrated or a row cannot be parsed.

    These hooks run inside the caller's transaction (CKAN 2.12 shows and
    indexes a dataset inside package_update, before its commit): a failed
    read is undone alone and never rolls back the caller's changes. Any
    other failure is raised: a savepoint that cannot be opened or undone,
    or another database error, says the caller's transaction is broken
    (a search answered without quality once hid a transaction ended on the
    server, and the caller went on writing outside any transaction).
    """
    session = model.Session()
    session.flush()  # the caller's own changes: their errors are the caller's, not a failed read
    savepoint = session.begin_nested()
    try:
        return read()
    except sa.exc.DBAPIError as error:
        if getattr(error.orig, "pgcode", None) not in _NOT_MIGRATED:
            raise
        log.warning("quebec_quality: the quality tables cannot be read (ckan db upgrade -p quebec_quality?)",
                    exc_info=True)
        return default
    except (LookupError, TypeError, ValueError):  # a row written by another version of the plugin
        log.warning("quebec_quality: a quality row cannot be read", exc_info=True)
        return default
    finally:
        # Released by a rollback: committed, SQLAlchemy 1.4 (CKAN 2.11) runs CKAN's
        # before_commit, which indexed the dataset again from inside its indexing.
        savepoint.rollback()


def facet_titles() -> dict[str, str]:
    return {"quality_level": tk._("Quality level"), "quality_reference": tk._("Reference data")}


def add_to_results(search_results: dict[str, Any]) -> dict[str, Any]:
    """Every search result gets its current ``quebec_quality`` (the indexed copy may predate it)."""
    from . import runner

    results = [result for result in search_results.get("results") or []
               if isinstance(result, dict) and result.get("id")]
    summaries = _read(lambda: {result["id"]: runner.summary(result["id"]) for result in results}, {})
    for result in results:
        result["quebec_quality"] = summaries.get(result["id"])
    return search_results


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    facets = search_results.get("search_facets") or {}
    for item in (facets.get("quality_level") or {}).get("items", []):
        item["display_name"] = tk._(LEVEL_LABELS.get(item["name"], item["name"]))
    for item in (facets.get("quality_reference") or {}).get("items", []):
        item["display_name"] = tk._("Reference data") if item["name"] == "true" else tk._("Other data")
    return search_results
