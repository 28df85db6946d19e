"""Template helpers of quebec_theme: the portal's identity, guarded links and the home page's figures."""
from __future__ import annotations

import datetime
import decimal
from typing import Any, Optional

import flask_babel
from babel import numbers
from markupsafe import Markup, escape

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import datapreview

from ckanext.quebec.schema import vocabularies
from ckanext.quebec.schema.helpers import quebec_language_marker as language_marker
from ckanext.quebec.schema.jsonvalue import from_json

from . import config

CATEGORIES = "categories"
TERRITORIES = "territories"
RECENT_ROWS = 5
REFERENCE_ROWS = 4
# The search facets whose values are organization names (the publisher, quebec_partners' umbrella)
ORGANIZATION_FACETS = ("organization", "organisation_principale")


def quebec_theme_portal() -> dict[str, str]:
    """The portal's name, the text beside the signature and the contact link ("" when none)."""
    return {"name": config.portal_name(), "logo_text": config.logo_text(),
            "contact_url": config.contact_url()}


def quebec_theme_url(endpoint: str, **values: Any) -> str:
    """The URL of ``endpoint``, or "" when no enabled plugin serves it (a section that may be absent)."""
    try:
        return tk.h.url_for(endpoint, **values)
    except Exception:  # werkzeug's BuildError: the route is not registered
        return ""


def quebec_theme_language_switch() -> dict[str, str]:
    """The other interface language: its code, its name in itself and this page's URL in it."""
    other = "en" if tk.h.lang() == "fr" else "fr"
    return {"code": other, "name": "English" if other == "en" else "Français",
            "url": tk.h.url_for(tk.h.current_url(), locale=other)}


def quebec_theme_year() -> int:
    """This year (UTC): the footer's copyright and the home page's "added this year"."""
    return datetime.datetime.now(datetime.timezone.utc).year


def quebec_theme_home() -> dict[str, Any]:
    """What the home page shows: the categories with their counts, datasets and the figures."""
    field = "categories" if plugins.plugin_loaded("quebec_schema") else "groups"
    everything = _search({"rows": RECENT_ROWS, "sort": "metadata_modified desc",
                          "facet.field": [field], "facet.limit": -1})
    counts = {item["name"]: item["count"]
              for item in everything.get("search_facets", {}).get(field, {}).get("items", [])}
    language = tk.h.lang()
    categories = [{"name": entry["value"],
                   "label": vocabularies.label(CATEGORIES, entry["value"], language) or entry["value"],
                   "count": counts.get(entry["value"], 0),
                   "url": tk.h.url_for("dataset.search", **{field: entry["value"]})}
                  for entry in vocabularies.get(CATEGORIES)]
    return {"categories": categories, "recent": everything["results"],
            "reference": _reference_datasets(), "figures": _figures(everything["count"])}


def quebec_theme_view_title(view: dict[str, Any]) -> str:
    """A resource view's title, its type's default title in the visitor's language when it is one.

    CKAN stores the default title ("Table", "Chart") in the language of whoever
    made the view (a job: English); a title someone wrote is shown as written.
    """
    title = view.get("title") or ""
    plugin = datapreview.get_view_plugin(view.get("view_type"))
    if plugin is None:
        return title
    defaults = set()
    for language in vocabularies.LANGUAGES:
        with flask_babel.force_locale(language):
            defaults.add(plugin.info().get("default_title"))
    current = plugin.info().get("default_title")
    return current if current and title in defaults else title


def quebec_theme_current_file_named(markup: str, name: str) -> Markup:
    """CKAN's upload controls with the read-only box of the current file named ``name``.

    CKAN's block has no hook for it; the box is its only ``<input value=``.
    """
    return Markup(str(markup).replace(
        "<input value=", f'<input aria-label="{escape(name)}" value=', 1))


@tk.chained_helper
def get_translated(next_helper: Any, data_dict: dict[str, Any], field: str) -> Any:
    """CKAN's helper, reading the suite's bilingual fields (machine translations too) and an
    organization's or category's stored title when the dict has only the French one."""
    shown = _translation(data_dict, field)
    return shown["text"] if shown else next_helper(data_dict, field)


@tk.chained_helper
def dataset_display_name(next_helper: Any, package: Any) -> str:
    """CKAN's helper, with the dataset's title in the visitor's language (machine translated or not)."""
    if isinstance(package, dict):
        shown = _translation(package, "title")
        if shown:
            return shown["text"]
    return next_helper(package)


def quebec_theme_group_name(group: dict[str, Any]) -> dict[str, Any]:
    """An organization's or category's title as shown, for markup (quebec/snippets/group_name.html).

    :returns: ``{"text", "language", "fallback", "marker"}``: the title in the
        visitor's language, else in the language it has (the stored title is in
        ``ckan.locale_default``'s); when not in the visitor's, ``fallback`` and
        the words saying which language it is in ("(in French)"), else ``marker`` is ""
    """
    return _shown(group, "title", group.get("display_name") or group.get("title") or group.get("name", ""))


def quebec_theme_group_description(group: dict[str, Any]) -> Optional[dict[str, Any]]:
    """An organization's or category's description as shown (as quebec_theme_group_name gives its
    title: categories have theirs in French only); None when it has none."""
    shown = _shown(group, "description", group.get("description") or "")
    return shown if shown["text"] else None


def _shown(group: dict[str, Any], field: str, stored: str) -> dict[str, Any]:
    """``field`` of an organization or category in the visitor's language, else ``stored`` (written
    in ``ckan.locale_default``'s), with the fallback marker when not in the visitor's language."""
    shown = _translation(group, field) or {
        "text": stored, "language": (tk.config.get("ckan.locale_default") or "fr").split("_")[0]}
    fallback = shown["language"] != (tk.h.lang() or "fr").split("_")[0]
    return {"text": shown["text"], "language": shown["language"], "fallback": fallback,
            "marker": language_marker(shown["language"]) if fallback else ""}


def quebec_theme_group_title(group: dict[str, Any]) -> str:
    """An organization's or category's title as text (page titles, attributes, accessible names):
    in the visitor's language, else the stored title followed by the words "(in French)"."""
    shown = quebec_theme_group_name(group)
    return f"{shown['text']} {shown['marker']}" if shown["fallback"] else shown["text"]


def quebec_theme_facet_label(name: str, item: dict[str, Any]) -> dict[str, Any]:
    """A search facet item's label, as quebec_theme_group_name gives it: for an organization or a
    category its title in the visitor's language (else marked), for any other value CKAN's."""
    if name in ORGANIZATION_FACETS or name == "groups":
        return quebec_theme_group_name({"name": item["name"], "is_organization": name != "groups",
                                        "display_name": item.get("display_name")})
    return {"text": item.get("display_name") or item["name"], "language": None, "fallback": False, "marker": ""}


def quebec_theme_number(value: Any) -> str:
    """A number as written in the visitor's language (0,072 in French), every digit kept; else as given."""
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    return numbers.format_decimal(number, locale=tk.h.lang() or "fr", decimal_quantization=False)


def quebec_theme_filled(value: Any) -> bool:
    """Whether a field has something to show: not empty, not only empty texts, not "[]" or "{}"."""
    if isinstance(value, str):
        value = value.strip()
        if value in ("[]", "{}"):
            return False
    if isinstance(value, dict):
        return any(quebec_theme_filled(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(quebec_theme_filled(item) for item in value)
    return value is not None and value != ""


def quebec_theme_extent(value: Any) -> Optional[dict[str, str]]:
    """A GeoJSON extent's bounds (south, north, west, east) as numbers in the visitor's language.

    :param value: a GeoJSON geometry, feature or collection, or its JSON text
    :returns: None when it holds no coordinates
    """
    value = from_json(value, None)
    points = list(_points(value))
    if not points:
        return None
    longitudes, latitudes = [point[0] for point in points], [point[1] for point in points]
    bounds = {"south": min(latitudes), "north": max(latitudes), "west": min(longitudes), "east": max(longitudes)}
    return {key: quebec_theme_number(number) for key, number in bounds.items()}


def quebec_theme_territories(data: dict[str, Any]) -> list[str]:
    """The names of a dataset's territories (its ``territories`` field) in the visitor's language."""
    values = from_json(data.get("territories"), [])
    values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
    language = tk.h.lang() or vocabularies.DEFAULT_LANGUAGE
    return [vocabularies.label(TERRITORIES, value, language) or value for value in values if value]


def quebec_theme_extent_map(value: Any) -> Optional[dict[str, Any]]:
    """What the small map of a GeoJSON extent needs: the GeoJSON, quebec_viz's tile service and its
    attribution in the visitor's language; None without quebec_viz (whose Leaflet draws it) or coordinates."""
    if not plugins.plugin_loaded("quebec_viz") or quebec_theme_extent(value) is None:
        return None
    from ckanext.quebec.viz import config as viz_config

    return {"geojson": from_json(value, None), "tiles": viz_config.tile_url(),
            "attribution": viz_config.tile_attribution(tk.h.lang())}


def _points(value: Any):
    """The (longitude, latitude) positions anywhere in a GeoJSON object."""
    if isinstance(value, dict):
        for key in ("coordinates", "geometry", "geometries", "features"):
            yield from _points(value.get(key))
    elif isinstance(value, list):
        if len(value) >= 2 and all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in value[:2]):
            yield value[0], value[1]
        else:
            for item in value:
                yield from _points(item)


def _translation(data_dict: dict[str, Any], field: str) -> Optional[dict[str, Any]]:
    """quebec_schema's choice of text for ``field`` of a dataset, organization or category dict."""
    if not plugins.plugin_loaded("quebec_schema") or not isinstance(data_dict, dict):
        return None
    from ckanext.quebec.schema import helpers as schema_helpers

    value = data_dict.get(f"{field}_translated")
    if not value and "is_organization" in data_dict and field in ("title", "description"):
        if data_dict["is_organization"]:
            group = model.Group.get(data_dict.get("id") or data_dict.get("name"))
            value = (group.extras or {}).get(f"{field}_translated") if group is not None else None
        elif field == "title":
            language = schema_helpers.interface_language()
            label = vocabularies.label(CATEGORIES, data_dict.get("name"), language)
            return {"text": label, "language": language, "fallback": False, "machine": False} if label else None
    return schema_helpers.quebec_translation(value) if value else None


def _search(params: dict[str, Any]) -> dict[str, Any]:
    return tk.get_action("package_search")(
        {"user": tk.g.user}, dict({"q": "", "rows": 0, "include_private": False}, **params))


def _reference_datasets() -> list[dict[str, Any]]:
    if not plugins.plugin_loaded("quebec_quality"):
        return []
    return _search({"fq": "quality_reference:true", "rows": REFERENCE_ROWS,
                    "sort": "metadata_modified desc"})["results"]


def _figures(datasets: int) -> dict[str, Optional[int]]:
    """Partners (active organizations), public datasets and their resources, datasets added this year."""
    year = quebec_theme_year()
    added = _search({"fq": f"metadata_created:[{year}-01-01T00:00:00Z TO *]"})["count"]
    partners = model.Session.query(model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").count()
    resources = model.Session.query(model.Resource.id).join(
        model.Package, model.Package.id == model.Resource.package_id).filter(
        model.Resource.state == "active", model.Package.state == "active",
        model.Package.private.is_(False)).count()
    return {"partners": partners, "datasets": datasets, "resources": resources,
            "added_this_year": added, "year": year}


def get_helpers() -> dict:
    return {
        "get_translated": get_translated,
        "dataset_display_name": dataset_display_name,
        "quebec_theme_group_name": quebec_theme_group_name,
        "quebec_theme_group_title": quebec_theme_group_title,
        "quebec_theme_group_description": quebec_theme_group_description,
        "quebec_theme_facet_label": quebec_theme_facet_label,
        "quebec_theme_number": quebec_theme_number,
        "quebec_theme_filled": quebec_theme_filled,
        "quebec_theme_extent": quebec_theme_extent,
        "quebec_theme_extent_map": quebec_theme_extent_map,
        "quebec_theme_territories": quebec_theme_territories,
        "quebec_theme_portal": quebec_theme_portal,
        "quebec_theme_url": quebec_theme_url,
        "quebec_theme_language_switch": quebec_theme_language_switch,
        "quebec_theme_home": quebec_theme_home,
        "quebec_theme_year": quebec_theme_year,
        "quebec_theme_view_title": quebec_theme_view_title,
        "quebec_theme_current_file_named": quebec_theme_current_file_named,
    }
