"""What the quebec_quality plugin puts into the search index and package_show, and its facets.

Index fields: ``quality_level`` (faible, suffisant, bon, excellent),
``quality_score`` (0-405), ``quality_reference`` (true/false) and
``quality_sort`` (level rank then zero-padded score, a string that sorts the
same on Solr and quebec_search: ``sort=quality_sort desc``).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import score, store

FACETS = ("quality_level", "quality_reference")


def _(message: str) -> str:
    return message


LEVEL_LABELS = {"excellent": _("Excellent"), "bon": _("Good"), "suffisant": _("Sufficient"),
                "faible": _("Poor")}


def add_quality_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    package_id = pkg_dict.get("id")
    if not package_id:
        return pkg_dict
    current = store.current_dataset(package_id)
    reference = store.current_reference(package_id)
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
        try:
            pkg_dict["quebec_quality"] = runner.summary(pkg_dict["id"])
        except Exception:  # the tables are not migrated yet: say nothing rather than break package_show
            import logging
            logging.getLogger(__name__).warning("quebec_quality tables missing: run ckan db upgrade -p quebec_quality")
            from ckan import model
            model.Session.rollback()
            pkg_dict["quebec_quality"] = None
    return pkg_dict


def facet_titles() -> dict[str, str]:
    return {"quality_level": tk._("Quality level"), "quality_reference": tk._("Reference data")}


def add_to_results(search_results: dict[str, Any]) -> dict[str, Any]:
    """Every search result gets its current ``quebec_quality`` (the indexed copy may predate it)."""
    for result in search_results.get("results") or []:
        if isinstance(result, dict):
            add_to_dataset(result)
    return search_results


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    facets = search_results.get("search_facets") or {}
    for item in (facets.get("quality_level") or {}).get("items", []):
        item["display_name"] = tk._(LEVEL_LABELS.get(item["name"], item["name"]))
    for item in (facets.get("quality_reference") or {}).get("items", []):
        item["display_name"] = tk._("Reference data") if item["name"] == "true" else tk._("Other data")
    return search_results
