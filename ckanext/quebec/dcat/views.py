"""Content negotiation for the home page and dataset pages (RDF for clients that ask for it).

ckanext-dcat's own negotiation routes are added when its blueprint module is
imported, from the configuration of that moment; this hook reads
``ckanext.quebec.dcat.content_negotiation`` at each request and serves the
same responses through ckanext-dcat's page functions.
"""
from __future__ import annotations

import re

from flask import Blueprint
from werkzeug.exceptions import HTTPException

import ckan.plugins.toolkit as tk

from ckanext.dcat import utils

from . import config

quebec_dcat = Blueprint("quebec_dcat", __name__)

_DATASET_PAGE = re.compile(r"/dataset/(?!new$)([^/.]+)")
# ckanext-dcat's routes with a format in their path.
_FORMAT_ENDPOINTS = ("dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series")


@quebec_dcat.before_app_request
def formats_and_parameters():
    """ckanext-dcat's /catalog.<format> and /dataset/<id>.<format>: 404 for an unknown format, 400 for bad parameters.

    ckanext-dcat answers an unknown format with a 500 and bad parameters with a 409.
    """
    if tk.request.endpoint not in _FORMAT_ENDPOINTS:
        return None
    args = tk.request.view_args or {}
    if args.get("_format") not in utils.CONTENT_TYPES:
        return tk.abort(404, tk._("Unknown format: {0}; use one of {1}").format(
            args.get("_format"), ", ".join(sorted(utils.CONTENT_TYPES))))
    try:
        if tk.request.endpoint == "dcat.read_catalog":
            return utils.read_catalog_page(args["_format"])
        return utils.read_dataset_page(args["_id"], args["_format"])
    except HTTPException as error:
        if error.code == 409:
            return tk.abort(400, error.description)
        raise


@quebec_dcat.before_app_request
def negotiate():
    if tk.request.method not in ("GET", "HEAD") or not config.content_negotiation():
        return None
    path = tk.request.path
    if path != "/" and not _DATASET_PAGE.fullmatch(path):
        return None
    rdf_format = utils.check_access_header()
    if not rdf_format:
        return None
    if path == "/":
        response = utils.read_catalog_page(rdf_format)
    else:
        response = utils.read_dataset_page(_DATASET_PAGE.fullmatch(path).group(1), rdf_format)
    response.headers["Vary"] = "Accept"
    return response


def get_blueprints() -> list[Blueprint]:
    return [quebec_dcat]
