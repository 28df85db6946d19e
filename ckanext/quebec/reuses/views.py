"""Pages of the quebec_reuses plugin: the approved reuses with facets, a reuse, the submission form, images.

``/reuses`` in French, ``/en/reuses`` in English (CKAN's locale prefix).
"""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, send_file

from ckanext.quebec.guides.shared import facet_links
from ckanext.quebec.guides.views import language
from ckanext.quebec.schema import vocabularies

from . import store

quebec_reuses = Blueprint("quebec_reuses", __name__, url_prefix="/reuses")
# Facet field of quebec_reuse_search → its filter parameter.
FACETS = {"reuse_type": "reuse_type", "categories": "category", "organizations": "organization"}


def _context() -> dict[str, Any]:
    return {"user": tk.g.user}


def index() -> Any:
    lang = language()
    params = {param: tk.request.args.get(param, "").strip() for param in FACETS.values()}
    params = {key: value for key, value in params.items() if value}
    try:
        result = tk.get_action("quebec_reuse_search")(_context(), dict(params, limit=50))
        errors = {}
    except tk.ValidationError as error:
        result, errors = {"count": 0, "results": [], "facets": {}}, error.error_dict
    titles = {"reuse_type": tk._("Type"), "categories": tk._("Categories"),
              "organizations": tk._("Organizations")}
    labels = {"reuse_type": lambda value: vocabularies.label("reuse_types", value, lang),
              "categories": lambda value: vocabularies.label("categories", value, lang),
              "organizations": _organization}
    facets = facet_links("quebec_reuses.index", result["facets"], params, {
        field: (param, titles[field], labels[field]) for field, param in FACETS.items()})
    return tk.render("quebec/reuses/index.html", {"result": result, "facets": facets,
                                                  "errors": errors}), 400 if errors else 200


def _organization(name: str) -> str:
    organization = tk.h.get_organization(name) if name else None
    return (organization or {}).get("display_name") or name


def read(reuse_id: str) -> Any:
    try:
        reuse = tk.get_action("quebec_reuse_show")(_context(), {"id": reuse_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Reuse not found"))
    return tk.render("quebec/reuses/read.html", {"reuse": reuse})


def new() -> Any:
    if not tk.g.user:
        return tk.abort(403, tk._("Log in to submit a reuse"))
    lang = language()
    choices = [(entry["value"], entry["label"][lang]) for entry in vocabularies.get("reuse_types")]
    data: dict[str, Any] = {}
    errors: dict = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {field: form.get(field, "") for field in store.TEXT_FIELDS + ("reuse_type", "url")}
        data["datasets"] = [item.strip() for item in form.get("datasets", "").split(",") if item.strip()]
        upload = tk.request.files.get("image_upload")
        try:
            reuse = tk.get_action("quebec_reuse_create")(_context(), dict(
                data, image_upload=upload if upload and upload.filename else None))
            return tk.redirect_to("quebec_reuses.read", reuse_id=reuse["id"])
        except tk.ValidationError as error:
            errors = error.error_dict
    return tk.render("quebec/reuses/new.html", {"data": data, "errors": errors, "choices": choices}), \
        400 if errors else 200


def review(reuse_id: str, action: str) -> Any:
    try:
        tk.get_action(action)(_context(), {"id": reuse_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins and the publishers of its datasets may review a reuse"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Reuse not found"))
    return tk.redirect_to("quebec_reuses.read", reuse_id=reuse_id)


def image(reuse_id: str) -> Any:
    try:
        reuse = tk.get_action("quebec_reuse_show")(_context(), {"id": reuse_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Reuse not found"))
    if not reuse.get("image") or not os.path.exists(store.image_path(reuse["image"])):
        return tk.abort(404, tk._("Reuse not found"))
    return send_file(store.image_path(reuse["image"]), mimetype="image/png")


quebec_reuses.add_url_rule("", "index", index)
quebec_reuses.add_url_rule("/new", "new", new, methods=["GET", "POST"])
quebec_reuses.add_url_rule("/<reuse_id>", "read", read)
quebec_reuses.add_url_rule("/<reuse_id>/image.png", "image", image)
quebec_reuses.add_url_rule("/<reuse_id>/approve", "approve", review, methods=["POST"],
                           defaults={"action": "quebec_reuse_approve"})
quebec_reuses.add_url_rule("/<reuse_id>/reject", "reject", review, methods=["POST"],
                           defaults={"action": "quebec_reuse_reject"})


def get_blueprints() -> list[Blueprint]:
    return [quebec_reuses]
