"""Pages of the quebec_guides plugin: the guides' list with search and facets, a guide, the editor's form.

``/guides`` in French, ``/en/guides`` in English (CKAN's locale prefix).
Editing goes through the same actions as the API; a preview renders the
posted Markdown without saving it.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.quebec.schema import vocabularies

from . import store
from .auth import may_manage
from .shared import facet_links

quebec_guides = Blueprint("quebec_guides", __name__, url_prefix="/guides")
FILTERS = ("audience", "topic", "category")
# Facet field of quebec_guide_search → (its filter parameter, its vocabulary).
FACETS = {"audience": ("audience", "guide_audiences"), "topic": ("topic", "guide_topics"),
          "categories": ("category", "categories")}
PAGE_SIZE = 20


def language() -> str:
    current = (tk.h.lang() or vocabularies.DEFAULT_LANGUAGE).split("_")[0]
    return current if current in vocabularies.LANGUAGES else vocabularies.DEFAULT_LANGUAGE


def _context() -> dict[str, Any]:
    return {"user": tk.g.user}


def index() -> Any:
    lang = language()
    params = {key: tk.request.args.get(key, "").strip() for key in ("q",) + FILTERS}
    params = {key: value for key, value in params.items() if value}
    page = tk.request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) <= 500 else 1
    manager = may_manage(tk.g.user)
    query = dict(params, language=lang, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                 include_drafts=manager)
    try:
        result = tk.get_action("quebec_guide_search")(_context(), query)
        errors = {}
    except tk.ValidationError as error:
        result, errors = {"count": 0, "results": [], "facets": {}}, error.error_dict
    return tk.render("quebec/guides/index.html", {
        "result": result, "params": params, "errors": errors, "page": page,
        "page_size": PAGE_SIZE, "manager": manager, "language": lang,
        "facets": _facets(result["facets"], params, lang),
    }), 400 if errors else 200


def _facets(counts: dict[str, dict[str, int]], params: dict[str, str], lang: str) -> list[dict]:
    titles = {"audience": tk._("Audience"), "topic": tk._("Topic"), "categories": tk._("Categories")}
    def labeller(vocabulary: str):
        return lambda value: vocabularies.label(vocabulary, value, lang)

    return facet_links("quebec_guides.index", counts, params, {
        field: (param, titles[field], labeller(vocabulary)) for field, (param, vocabulary) in FACETS.items()})


def read(name: str) -> Any:
    try:
        guide = tk.get_action("quebec_guide_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Guide not found"))
    revisions = []
    if may_manage(tk.g.user):
        revisions = tk.get_action("quebec_guide_revision_list")(_context(), {"id": guide["id"]})
    return tk.render("quebec/guides/read.html", {"guide": guide, "revisions": revisions,
                                                 "language": language()})


def _form_data() -> dict[str, Any]:
    form = tk.request.form
    data: dict[str, Any] = {field: form.get(field, "") for field in ("name",) + store.TEXT_FIELDS}
    data["topic"] = form.get("topic", "")
    data["audience"] = form.getlist("audience")
    data["categories"] = form.getlist("categories")
    data["datasets"] = [item.strip() for item in form.get("datasets", "").split(",") if item.strip()]
    return data


def _form(data: dict[str, Any], errors: dict, guide: dict | None, preview: bool) -> Any:
    lang = language()
    choices = {name: [(entry["value"], entry["label"][lang]) for entry in vocabularies.get(name)]
               for name in ("guide_audiences", "guide_topics", "categories")}
    return tk.render("quebec/guides/edit.html", {
        "data": data, "errors": errors, "guide": guide, "preview": preview,
        "choices": choices, "language": lang,
    }), 400 if errors else 200


def new() -> Any:
    if not may_manage(tk.g.user):
        return tk.abort(403, tk._("Only sysadmins and guide editors may manage guides"))
    if tk.request.method == "GET":
        return _form({"audience": [], "categories": [], "datasets": []}, {}, None, False)
    data = _form_data()
    if "preview" in tk.request.form:
        return _form(data, {}, None, True)
    try:
        guide = tk.get_action("quebec_guide_create")(_context(), dict(data))
    except tk.ValidationError as error:
        return _form(data, error.error_dict, None, False)
    return tk.redirect_to("quebec_guides.read", name=guide["name"])


def edit(name: str) -> Any:
    if not may_manage(tk.g.user):
        return tk.abort(403, tk._("Only sysadmins and guide editors may manage guides"))
    try:
        guide = tk.get_action("quebec_guide_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Guide not found"))
    if tk.request.method == "GET":
        return _form(guide, {}, guide, False)
    data = _form_data()
    if "preview" in tk.request.form:
        return _form(data, {}, guide, True)
    try:
        guide = tk.get_action("quebec_guide_update")(_context(), dict(data, id=guide["id"]))
    except tk.ValidationError as error:
        return _form(data, error.error_dict, guide, False)
    return tk.redirect_to("quebec_guides.read", name=guide["name"])


def change_state(name: str, action: str) -> Any:
    try:
        guide = tk.get_action(action)(_context(), {"id": name})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins and guide editors may manage guides"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Guide not found"))
    return tk.redirect_to("quebec_guides.read", name=guide["name"])


quebec_guides.add_url_rule("", "index", index)
quebec_guides.add_url_rule("/new", "new", new, methods=["GET", "POST"])
quebec_guides.add_url_rule("/<name>", "read", read)
quebec_guides.add_url_rule("/<name>/edit", "edit", edit, methods=["GET", "POST"])
quebec_guides.add_url_rule("/<name>/publish", "publish", change_state, methods=["POST"],
                           defaults={"action": "quebec_guide_publish"})
quebec_guides.add_url_rule("/<name>/unpublish", "unpublish", change_state, methods=["POST"],
                           defaults={"action": "quebec_guide_unpublish"})


def get_blueprints() -> list[Blueprint]:
    return [quebec_guides]
