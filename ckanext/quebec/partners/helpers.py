"""Template helpers of the quebec_partners plugin: vocabulary choices, labels, a partner's facts."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckan import model

from ckanext.quebec.schema import helpers as schema_helpers
from ckanext.quebec.schema import vocabularies

from . import umbrella as umbrella_module
from . import views


def quebec_partner_type_label(value: str, language: Optional[str] = None) -> str:
    """The label of a partner type in the page's language, or the value itself if unknown."""
    return vocabularies.label("partner_types", value, language or tk.h.lang()) or value


def quebec_partner_facts(organization: Any) -> dict[str, Any]:
    """A partner's type, umbrella and region, labelled in the page's language.

    :param organization: an organization dict (its schema fields at the top,
        or not: an organization list gives core fields only) or its name or id
    :returns: ``title`` (the name in the page's language, else the other),
        ``type`` / ``type_label``, ``umbrella`` / ``umbrella_title``,
        ``region`` / ``region_label`` (empty strings when not set)
    """
    if isinstance(organization, dict):
        fields = organization
        if not any(organization.get(key) for key in ("title_translated", "partner_type",
                                                      "organisation_principale", "region")):
            fields = _extras(organization.get("id") or organization.get("name"))
    else:
        fields = _extras(organization)
    language = tk.h.lang()
    partner_type = fields.get("partner_type") or ""
    region = fields.get("region") or ""
    # organization_show gives the umbrella's current name; the stored extras its id.
    umbrella_name = fields.get("organisation_principale") or ""
    umbrella = model.Group.by_name(umbrella_name) if umbrella_name else None
    title = schema_helpers.quebec_translated(fields.get("title_translated"), language=language)
    umbrella_title = ""
    if umbrella is not None:
        shown = schema_helpers.quebec_translation(
            (umbrella.extras or {}).get("title_translated"), language=language)
        umbrella_title = shown["text"] if shown else umbrella.display_name
    return {
        "title": title,
        "type": partner_type,
        "type_label": quebec_partner_type_label(partner_type, language) if partner_type else "",
        "umbrella": umbrella.name if umbrella is not None else "",
        "umbrella_title": umbrella_title,
        "region": region,
        "region_label": (vocabularies.label("regions", region, language) or region) if region else "",
    }


def quebec_publisher_type(dataset: dict[str, Any]) -> dict[str, str]:
    """The type of the partner that publishes ``dataset``: ``{"type", "label"}``, empty if none."""
    organization = model.Group.get(dataset.get("owner_org") or "") if dataset else None
    partner_type = (organization.extras or {}).get("partner_type") if organization is not None else None
    if not partner_type:
        return {"type": "", "label": ""}
    return {"type": partner_type, "label": quebec_partner_type_label(partner_type)}


def quebec_partners_endpoint(page: str) -> str:
    """The endpoint of a partners page (directory, statistics) at its address in the page's language."""
    return views.endpoint(page)


def _extras(name_or_id: Optional[str]) -> dict[str, Any]:
    """The organization's stored fields, its umbrella by current name (as organization_show gives it)."""
    group = model.Group.get(name_or_id) if name_or_id else None
    if group is None:
        return {}
    fields = dict(group.extras or {})
    above = umbrella_module.stored_umbrella(group)
    fields["organisation_principale"] = above.name if above is not None else ""
    return fields


def get_helpers() -> dict:
    return {
        "quebec_partner_facts": quebec_partner_facts,
        "quebec_publisher_type": quebec_publisher_type,
        "quebec_partners_endpoint": quebec_partners_endpoint,
        "quebec_partner_type_label": quebec_partner_type_label,
    }
