"""Content negotiation for the home page and dataset pages (RDF for clients that ask for it).

ckanext-dcat's own negotiation routes are added when its blueprint module is
imported, from the configuration of that moment; this hook reads
``ckanext.quebec.dcat.content_negotiation`` at each request and serves the
same responses through ckanext-dcat's page functions.
"""
from __future__ import annotations

import re

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.dcat import utils

from . import config

quebec_dcat = Blueprint("quebec_dcat", __name__)

_DATASET_PAGE = re.compile(r"/dataset/(?!new$)([^/.]+)")


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
