"""Pages of the quebec_partners plugin: the partner directory and the partnership statistics.

Each page answers at its French address (``/partenaires``) and its English
one (``/partners``); CKAN's locale prefix (``/en/...``, ``/fr/...``) chooses
the language, so ``/en/partners``, ``/partenaires`` and ``/en/partenaires``
all work, and links use the address of the page's language.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.quebec.schema import vocabularies

from . import charts, directory as partner_directory

quebec_partners = Blueprint("quebec_partners", __name__)


def _language() -> str:
    language = (tk.h.lang() or vocabularies.DEFAULT_LANGUAGE).split("_")[0]
    return language if language in vocabularies.LANGUAGES else vocabularies.DEFAULT_LANGUAGE


def endpoint(page: str) -> str:
    """The endpoint of ``page`` (directory, statistics) at the address of the interface language."""
    return f"quebec_partners.{page}_en" if _language() == "en" else f"quebec_partners.{page}"


def directory() -> str:
    language = _language()
    q = tk.request.args.get("q", "").strip()[:200]
    partner_type = tk.request.args.get("type", "").strip()
    region = tk.request.args.get("region", "").strip()
    errors = []
    if partner_type and vocabularies.label("partner_types", partner_type) is None:
        errors.append(tk._("Unknown partner type: {value}").format(value=partner_type))
        partner_type = ""
    if region and vocabularies.label("regions", region) is None:
        errors.append(tk._("Unknown region: {value}").format(value=region))
        region = ""
    result = partner_directory.directory(tk.g.user, language, q, partner_type, region)
    return tk.render("quebec/partners/directory.html", {
        "result": result, "q": q, "partner_type": partner_type, "region": region,
        "errors": errors, "language": language,
        "type_choices": [(entry["value"], entry["label"][language])
                         for entry in vocabularies.get("partner_types")],
        "region_choices": [(entry["value"], entry["label"][language])
                           for entry in vocabularies.get("regions")],
    }), 400 if errors else 200


def statistics() -> str:
    language = _language()
    stats = tk.get_action("quebec_partnership_stats")({"user": tk.g.user}, {})
    return tk.render("quebec/partners/statistics.html", {
        "stats": stats, "charts": charts.charts(stats, language), "language": language,
    })


quebec_partners.add_url_rule("/partenaires", "directory", directory)
quebec_partners.add_url_rule("/partners", "directory_en", directory)
quebec_partners.add_url_rule("/partenaires/statistiques", "statistics", statistics)
quebec_partners.add_url_rule("/partners/statistics", "statistics_en", statistics)


def get_blueprints() -> list[Blueprint]:
    return [quebec_partners]
