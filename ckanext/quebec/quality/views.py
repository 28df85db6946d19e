"""Pages of the quebec_quality plugin: a dataset's quality breakdown and the publishers' report."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from . import runner, score

quality = Blueprint("quebec_quality", __name__)


def dataset_quality(id: str):
    """The breakdown of a dataset's quality: dimensions, checks with hints, validation reports."""
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        pkg = tk.get_action("package_show")(context, {"id": id})
        details = tk.get_action("quebec_quality_show")(context, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        # as core's dataset page: a private dataset does not exist for those who may not see it
        return tk.abort(404, tk._("Dataset not found"))
    return tk.render("quebec/quality/dataset.html", {"pkg": pkg, "pkg_dict": pkg, "details": details})


def organization_report(id: str):
    """The publishers' report: the organization's datasets, worst first, with what to fix."""
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        organization = tk.get_action("organization_show")(context, {"id": id, "include_datasets": False})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    results = tk.get_action("package_search")(context, {
        "fq": f'owner_org:"{organization["id"]}"', "rows": 1000, "sort": "quality_sort asc, name asc",
        "include_private": True, "facet.field": ["quality_level"]})
    rows = [{"pkg": pkg, "quality": runner.summary(pkg["id"])} for pkg in results["results"]]
    counts = {level: 0 for level in reversed(score.LEVELS)}
    unassessed = 0
    for row in rows:
        if row["quality"]:
            counts[row["quality"]["level"]] += 1
        else:
            unassessed += 1
    return tk.render("quebec/quality/organization.html", {
        "organization": organization, "group_dict": organization, "group_type": organization["type"],
        "rows": rows, "counts": counts,
        "unassessed": unassessed})


quality.add_url_rule("/dataset/<id>/quality", view_func=dataset_quality)
quality.add_url_rule("/organization/<id>/quality", view_func=organization_report)


def get_blueprints() -> list[Blueprint]:
    return [quality]
