"""The partner directory: every partner with its type, umbrella, region, dataset count and publishing activity.

Built from one query for the organizations, one for their extras and three
``package_search`` calls faceted on ``owner_org`` (datasets, added and
updated in the last 12 months), whatever the number of partners; the
dataset counts are those of the search page for the same visitor.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.schema import helpers as schema_helpers
from ckanext.quebec.schema import jsonvalue, vocabularies

PARTNER_FIELDS = ("title_translated", "partner_type", "organisation_principale", "region")
# Partners without a (known) type are listed last, under this key.
NO_TYPE = ""
LAST_12_MONTHS = "[NOW-1YEAR TO *]"


def organizations(language: str) -> list[dict[str, Any]]:
    """Every active organization as a partner: name, id, title (in ``language``), type, umbrella, region."""
    groups = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").all()
    extras = partner_fields([group.id for group in groups])
    partners = []
    for group in groups:
        fields = extras.get(group.id, {})
        shown = schema_helpers.quebec_translation(fields.get("title_translated"), language=language)
        partner_type = fields.get("partner_type") or NO_TYPE
        region = fields.get("region") or ""
        partners.append({
            "id": group.id,
            "name": group.name,
            "title": shown["text"] if shown else (group.title or group.name),
            "title_language": shown["language"] if shown else None,
            "titles": _texts(fields.get("title_translated")) or {"fr": group.title or group.name},
            "partner_type": partner_type,
            "partner_type_label": (vocabularies.label("partner_types", partner_type, language)
                                   or "") if partner_type else "",
            "umbrella": fields.get("organisation_principale") or "",
            "region": region,
            "region_label": (vocabularies.label("regions", region, language) or region) if region else "",
        })
    # The umbrella is stored by id; one that is no longer active is left out.
    by_id = {partner["id"]: partner for partner in partners}
    for partner in partners:
        umbrella = by_id.get(partner["umbrella"])
        partner["umbrella"] = umbrella["name"] if umbrella else ""
        partner["umbrella_title"] = umbrella["title"] if umbrella else ""
    return sorted(partners, key=lambda partner: _folded(partner["title"]))


def directory(user: Optional[str], language: str, q: str = "", partner_type: str = "",
              region: str = "") -> dict[str, Any]:
    """The partners matching the text ``q``, the type and the region, grouped by type and umbrella.

    :returns: ``sections``: one per partner type (vocabulary order, then the
        partners without a type), each with ``groups`` by umbrella (the
        partners without one first, under ``umbrella`` None); ``total`` (all
        partners) and ``count`` (those shown).
    """
    partners = organizations(language)
    counts = _counts(user)
    for partner in partners:
        partner["dataset_count"] = counts["datasets"].get(partner["id"], 0)
        partner["added"] = counts["added"].get(partner["id"], 0)
        partner["updated"] = counts["updated"].get(partner["id"], 0)
    shown = [partner for partner in partners if _matches(partner, q, partner_type, region)]

    sections = []
    types = [entry["value"] for entry in vocabularies.get("partner_types")] + [NO_TYPE]
    for value in types:
        members = [partner for partner in shown
                   if partner["partner_type"] == value
                   or (value == NO_TYPE and partner["partner_type"] not in types)]
        if not members:
            continue
        umbrellas: dict[str, list[dict[str, Any]]] = {}
        for partner in members:
            umbrellas.setdefault(partner["umbrella"], []).append(partner)
        groups = [{"umbrella": None, "umbrella_title": None, "partners": umbrellas.pop("", [])}]
        groups = [group for group in groups if group["partners"]]
        for umbrella in sorted(umbrellas, key=lambda name: _folded(umbrellas[name][0]["umbrella_title"])):
            groups.append({"umbrella": umbrella, "umbrella_title": umbrellas[umbrella][0]["umbrella_title"],
                           "partners": umbrellas[umbrella]})
        sections.append({
            "partner_type": value,
            "label": (vocabularies.label("partner_types", value, language) if value
                      else tk._("Other partners")),
            "count": len(members),
            "groups": groups,
        })
    return {"sections": sections, "total": len(partners), "count": len(shown)}


def partner_fields(group_ids: list[str],
                   keys: tuple[str, ...] = PARTNER_FIELDS) -> dict[str, dict[str, str]]:
    """The fields ``keys`` of the organizations ``group_ids`` (scheming stores them as extras), in one query."""
    if not group_ids:
        return {}
    extras: dict[str, dict[str, str]] = {}
    if "extras" in model.Group.__table__.c:
        # CKAN 2.12: a JSON column of the group table.
        rows = model.Session.query(model.Group.id, model.Group.__table__.c.extras).filter(
            model.Group.id.in_(group_ids))
        for group_id, values in rows:
            extras[group_id] = {key: value for key, value in (values or {}).items()
                                if key in keys}
        return extras
    # CKAN 2.11: the group_extra table.
    from ckan.model.group_extra import GroupExtra

    rows = model.Session.query(GroupExtra.group_id, GroupExtra.key, GroupExtra.value).filter(
        GroupExtra.key.in_(keys), GroupExtra.state == "active",
        GroupExtra.group_id.in_(group_ids))
    for group_id, key, value in rows:
        extras.setdefault(group_id, {})[key] = value
    return extras


def _texts(value: Any) -> dict[str, str]:
    value = jsonvalue.from_json(value, invalid={})
    return value if isinstance(value, dict) else {}


def _folded(text: str) -> str:
    """``text`` lowercased without accents, for sorting and matching."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _matches(partner: dict[str, Any], q: str, partner_type: str, region: str) -> bool:
    if partner_type and partner["partner_type"] != partner_type:
        return False
    if region and partner["region"] != region:
        return False
    if q:
        haystack = _folded(" ".join([partner["name"], partner["umbrella_title"] or "",
                                     *partner["titles"].values()]))
        return all(word in haystack for word in _folded(q).split())
    return True


def _counts(user: Optional[str]) -> dict[str, dict[str, int]]:
    """Datasets per organization id the visitor may see: all, added and updated in the last 12 months."""
    def per_organization(fq: str = "") -> dict[str, int]:
        result = tk.get_action("package_search")({"user": user or ""}, {
            "q": "*:*", "fq": fq, "rows": 0, "include_private": True,
            "facet.field": ["owner_org"], "facet.limit": -1, "facet.mincount": 1})
        return result["facets"].get("owner_org", {})

    return {
        "datasets": per_organization(),
        "added": per_organization(f"metadata_created:{LAST_12_MONTHS}"),
        "updated": per_organization(f"+metadata_modified:{LAST_12_MONTHS} "
                                    f"-metadata_created:{LAST_12_MONTHS}"),
    }
