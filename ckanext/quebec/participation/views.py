"""Pages of the quebec_participation plugin: the suggestions list, a suggestion, the form, an organization's to-do.

Every page calls the plugin's actions as the logged-in user, so the pages
and the API apply the same rules; a form's errors come back as messages in
the interface language (flash messages after a redirect, or the form shown
again with a 400); a call refused by the rate limit answers 429 (ratelimit.answer_429).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response

from ckanext.quebec.guides.shared import facet_links
from ckanext.quebec.schema import bilingual

from . import ratelimit, validation

participation = Blueprint("quebec_participation", __name__)
participation.after_app_request(ratelimit.answer_429)

PAGE_SIZE = 20
SUGGESTION_PATH = "/suggestions/{id}"
FILTERS = ("q", "status", "category", "territory", "organization", "sort")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user and tk.current_user.is_authenticated else ""}


def _error_messages(error: tk.ValidationError) -> list[str]:
    messages = []
    for field, problems in (error.error_dict or {}).items():
        for problem in problems if isinstance(problems, list) else [problems]:
            messages.append(str(problem))
    return messages or [str(error)]


def _page_number() -> int:
    given = tk.request.args.get("page", "1")
    return int(given) if given.isdigit() and 0 < len(given) < 6 and int(given) > 0 else 1


def index():
    """The suggestions, filtered and sorted, a page at a time, with their facets (status, category, organization)."""
    filters = {key: tk.request.args.get(key, "").strip() for key in FILTERS}
    given = {key: value for key, value in filters.items() if value}
    page = _page_number()
    errors: list[str] = []
    try:
        found = tk.get_action("quebec_suggestion_list")(_context(), dict(
            given, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE))
    except tk.ValidationError as error:
        errors = _error_messages(error)
        found = tk.get_action("quebec_suggestion_list")(_context(), {"limit": PAGE_SIZE})
    return tk.render("quebec/participation/index.html", {
        "found": found, "filters": filters, "errors": errors, "page": page, "page_size": PAGE_SIZE,
        "facets": _facet_links(found["facets"], {} if errors else given), "sorts": validation.SORTS,
    }), 400 if errors else 200


def _facet_links(facets: dict[str, list[dict]], given: dict[str, str]) -> list[dict]:
    """Each facet's title and items (label, count, the link adding or removing it), as the guides and reuses."""
    titles = {"status": tk._("Status"), "category": tk._("Category"), "organization": tk._("Organization")}
    labels = {facet: {item["name"]: item["display_name"] for item in items} for facet, items in facets.items()}
    return facet_links("quebec_participation.index",
                       {facet: {item["name"]: item["count"] for item in items} for facet, items in facets.items()},
                       given, {facet: (facet, titles[facet], labels[facet].get) for facet in facets})


def _organization_choices() -> list[tuple[str, str]]:
    organizations = tk.get_action("organization_list")(_context(), {"all_fields": True, "limit": 1000})
    return [(org["name"], org["title"] or org["name"]) for org in organizations]


def read(id: str):
    """A suggestion: its texts, status history, votes, comments and, for those who may, the forms to act."""
    context = _context()
    try:
        suggestion = tk.get_action("quebec_suggestion_show")(context, {"id": id})
        comments = tk.get_action("quebec_comment_list")(context, {
            "suggestion_id": id, "include_hidden": tk.h.check_access("quebec_suggestion_moderate")})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Suggestion not found"))
    datasets = [tk.h.quebec_participation_dataset(dataset_id) for dataset_id in suggestion["datasets"]]
    return tk.render("quebec/participation/read.html", {
        "suggestion": suggestion, "comments": comments, "datasets": [d for d in datasets if d],
        "next_statuses": validation.TRANSITIONS[suggestion["status"]],
        "organization_choices": _organization_choices() if tk.h.check_access("quebec_suggestion_moderate") else [],
    })


def _form_texts(field: str) -> dict[str, str]:
    form = tk.request.form
    return {language: form.get(f"{field}-{language}", "") for language in bilingual.LANGUAGES
            if form.get(f"{field}-{language}", "").strip()}


def new():
    """The form to suggest data; GET shows it (``q`` pre-fills the title), POST creates the suggestion."""
    if not (tk.current_user and tk.current_user.is_authenticated):
        return tk.redirect_to("user.login", came_from=tk.h.url_for("quebec_participation.new"))
    form = tk.request.form
    data = {"title": {tk.h.quebec_participation_language(): tk.request.args.get("q", "")[:200]}}
    errors: dict = {}
    if tk.request.method == "POST":
        data = {"title": _form_texts("title"), "description": _form_texts("description"),
                "category": form.get("category", ""), "reason": form.get("reason", ""),
                "territories": [value for value in form.getlist("territories") if value],
                "owner_org": form.get("owner_org", "")}
        try:
            created = tk.get_action("quebec_suggestion_create")(_context(), data)
        except tk.ValidationError as error:
            errors = error.error_dict or {}
        else:
            tk.h.flash_success(tk._("Thank you: your suggestion is published."))
            return tk.redirect_to("quebec_participation.read", id=created["id"])
    return tk.render("quebec/participation/new.html", {
        "data": data, "errors": errors, "organization_choices": _organization_choices(),
    }), 400 if errors else 200


def organization(id: str):
    """What an organization has to answer: the suggestions sent to it, most recent activity first."""
    context = _context()
    try:
        id = validation.identifier(id, context)
        group = tk.get_action("organization_show")(context, {"id": id, "include_datasets": False})
        found = tk.get_action("quebec_suggestion_list")(context, {
            "organization": group["id"], "sort": "activity", "limit": validation.PAGE_MAX})
    except (tk.ObjectNotFound, tk.ValidationError, tk.Invalid):
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    open_ones = [s for s in found["results"] if s["status"] not in ("published", "refused")]
    closed = [s for s in found["results"] if s["status"] in ("published", "refused")]
    return tk.render("quebec/participation/organization.html", {
        "organization": group, "open_ones": open_ones, "closed": closed})


def _act(id: str, action: str, data_dict: dict, done: str, back: str = "quebec_participation.read"):
    """Call ``action`` as the logged-in user and go back to the page ``back`` of ``id`` with a message."""
    try:
        tk.get_action(action)(_context(), data_dict)
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error) or tk._("Suggestion not found"))
    except tk.NotAuthorized as error:
        tk.h.flash_error(str(error) or tk._("Not authorized"))
    except ratelimit.RateLimited as error:  # a page saying so, not a redirect: the answer is a 429
        return tk.abort(429, _error_messages(error)[0])
    except tk.ValidationError as error:
        for message in _error_messages(error):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(done)
    return tk.redirect_to(back, id=id)


def vote(id: str):
    return _act(id, "quebec_suggestion_vote", {"id": id}, tk._("Your vote is counted."))


def unvote(id: str):
    return _act(id, "quebec_suggestion_unvote", {"id": id}, tk._("Your vote is withdrawn."))


def comment(id: str):
    return _act(id, "quebec_comment_create", {"suggestion_id": id, "text": tk.request.form.get("text", "")},
                tk._("Your comment is published."))


def update_status(id: str):
    form = tk.request.form
    data: dict[str, Any] = {"id": id, "status": form.get("status", "")}
    answer = _form_texts("answer")
    if answer:
        data["answer"] = answer
    if form.get("datasets", "").strip():
        data["datasets"] = form["datasets"]
    if form.get("owner_org"):
        data["owner_org"] = form["owner_org"]
    return _act(id, "quebec_suggestion_update_status", data, tk._("The status is changed."))


def moderate(id: str):
    form = tk.request.form
    data = {"hidden": form.get("hidden", ""), "reason": form.get("reason", "")}
    if form.get("comment_id"):
        return _act(id, "quebec_comment_moderate", dict(data, id=form["comment_id"]),
                    tk._("The moderation is recorded."))
    return _act(id, "quebec_suggestion_moderate", dict(data, id=id), tk._("The moderation is recorded."))


def optout(id: str):
    return _act(id, "quebec_participation_optout", {"opted_out": tk.request.form.get("opted_out", "true")},
                tk._("Your e-mail preference is saved."))


def campaigns():
    """The prioritization campaigns, the latest first."""
    return tk.render("quebec/participation/campaigns.html", {
        "campaigns": tk.get_action("quebec_campaign_list")(_context(), {})})


def _campaign_or_404(id: str) -> dict:
    try:
        return tk.get_action("quebec_campaign_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Campaign not found"))


def campaign(id: str):
    """A campaign: its text, the vote forms while it is open, the results as a chart beside a table."""
    found = _campaign_or_404(id)
    top = max([row["votes"] for row in found["results"]] + [1])
    return tk.render("quebec/participation/campaign.html", {"campaign": found, "top": top})


# A cell a spreadsheet would run as a formula starts with one of these: it is sent as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


CSV_COLUMNS = ("rank", "kind", "title_fr", "title_en", "votes", "status", "organization", "answer_fr", "answer_en")


def campaign_csv(id: str):
    """The campaign's results as CSV: rank, kind of candidate, titles in French and English, votes, and for
    a suggestion its status, organization and the organization's answer in French and English."""
    import csv
    import io

    found = _campaign_or_404(id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for rank, row in enumerate(found["results"], start=1):
        answer = row["answer"] or {}
        writer.writerow([_cell(value) for value in (
            rank, row["kind"], row["title"].get("fr", ""), row["title"].get("en", ""), row["votes"],
            row["status"] or "", row["organization"] or "", answer.get("fr", ""), answer.get("en", ""))])
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="campaign-{found["id"]}.csv"'
    return response


def campaign_vote(id: str, verb: str):
    form = tk.request.form
    data = {"id": id, **{field: form[field] for field in ("suggestion_id", "entry_id") if form.get(field)}}
    if verb == "vote":
        return _act(id, "quebec_campaign_vote", data, tk._("Your vote is counted."),
                    back="quebec_participation.campaign")
    return _act(id, "quebec_campaign_unvote", data, tk._("Your vote is withdrawn."),
                back="quebec_participation.campaign")


def campaign_close(id: str):
    """A sysadmin closes the campaign now."""
    return _act(id, "quebec_campaign_close", {"id": id}, tk._("The campaign is closed."),
                back="quebec_participation.campaign")


def campaign_entry(id: str):
    """A sysadmin writes a candidate into the campaign."""
    data = {"id": id, "title": _form_texts("title"), "description": _form_texts("description")}
    return _act(id, "quebec_campaign_entry_create", data, tk._("The candidate is added."),
                back="quebec_participation.campaign")


participation.add_url_rule("/campaigns", "campaigns", campaigns)
participation.add_url_rule("/campaigns/<id>", "campaign", campaign)
participation.add_url_rule("/campaigns/<id>/results.csv", "campaign_csv", campaign_csv)
participation.add_url_rule("/campaigns/<id>/<any(vote, unvote):verb>", "campaign_vote", campaign_vote,
                           methods=["POST"])
participation.add_url_rule("/campaigns/<id>/entry", "campaign_entry", campaign_entry, methods=["POST"])
participation.add_url_rule("/campaigns/<id>/close", "campaign_close", campaign_close, methods=["POST"])
participation.add_url_rule("/suggestions", "index", index)
participation.add_url_rule("/suggestions/new", "new", new, methods=["GET", "POST"])
participation.add_url_rule(SUGGESTION_PATH.format(id="<id>"), "read", read)
participation.add_url_rule("/organization/suggestions/<id>", "organization", organization)
for _name, _view in (("vote", vote), ("unvote", unvote), ("comment", comment), ("status", update_status),
                     ("moderate", moderate), ("optout", optout)):
    participation.add_url_rule(f"/suggestions/<id>/{_name}", _name, _view, methods=["POST"])


def get_blueprints() -> list[Blueprint]:
    return [participation]
