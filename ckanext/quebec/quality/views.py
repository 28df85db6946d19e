"""Pages of the quebec_quality plugin: a dataset's quality breakdown and the publishers' report."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from . import config, runner, score, validators

quality = Blueprint("quebec_quality", __name__)


def dataset_quality(id: str):
    """The breakdown of a dataset's quality: dimensions, checks with hints, validation reports."""
    context = {"user": tk.current_user.name if tk.current_user else ""}
    id = _reference(id, tk._("Dataset not found"))
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
    id = _reference(id, tk._("Organization not found"))
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


def run_checks(id: str):
    """The "check again" button: enqueue the dataset's checks, back to its quality page."""
    # Checked in the background when the site checks changes there (the default).
    return _act(id, "quebec_quality_run", {"force": True, "background": config.background()},
                tk._("The checks of this dataset are queued; this page shows their results "
                     "once they are done."))


def grant_reference(id: str):
    """The reference-data form: grant the badge with its mandate and date."""
    form = tk.request.form
    return _act(id, "quebec_quality_reference_grant",
                {"mandate": form.get("mandate", ""), "date": form.get("date", "")},
                tk._("This dataset is now reference data."))


def withdraw_reference(id: str):
    return _act(id, "quebec_quality_reference_withdraw", {},
                tk._("The reference data designation is withdrawn."))


def _act(id: str, action: str, data_dict: dict, done: str):
    """Call ``action`` on the dataset as the logged-in user; errors come back as flash messages."""
    context = {"user": tk.current_user.name if tk.current_user else ""}
    id = _reference(id, tk._("Dataset not found"))
    try:
        tk.get_action(action)(context, dict(data_dict, id=id))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    except tk.ValidationError as error:
        for field, messages in (error.error_dict or {}).items():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(f"{_FIELD_LABELS.get(field, lambda: field)()}: {message}")
    else:
        tk.h.flash_success(done)
    return tk.redirect_to("quebec_quality.dataset_quality", id=id)


def _reference(id: str, not_found: str) -> str:
    """The id or name of the page's object, or a 404 for one no object can have (a NUL, 5,000 characters)."""
    try:
        return validators.dataset_reference(id)
    except tk.Invalid:
        return tk.abort(404, not_found)


# Labels of the fields the forms send, for their error messages.
_FIELD_LABELS = {
    "background": lambda: tk._("Check this dataset again"),
    "mandate": lambda: tk._("Mandate"),
    "date": lambda: tk._("Date"),
    "criteria": lambda: tk._("Reference data criteria"),
}


quality.add_url_rule("/dataset/<id>/quality", view_func=dataset_quality)
quality.add_url_rule("/dataset/<id>/quality/run", view_func=run_checks, methods=["POST"])
quality.add_url_rule("/dataset/<id>/quality/reference", view_func=grant_reference,
                     methods=["POST"])
quality.add_url_rule("/dataset/<id>/quality/reference/withdraw", view_func=withdraw_reference,
                     methods=["POST"])
quality.add_url_rule("/organization/<id>/quality", view_func=organization_report)


def get_blueprints() -> list[Blueprint]:
    return [quality]
