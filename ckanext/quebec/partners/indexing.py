"""What the quebec_partners plugin adds to the search index and to search results.

Each dataset's index document carries its organization's ``partner_type``
and ``organisation_principale`` (the organization's umbrella, else the
dataset's own value, else the organization itself: a city or a civil-society
partner is its own umbrella), so both can be faceted on Solr as on
quebec_search. An edit that changes what its datasets' documents carry of it
(its name, title, description, image, type, umbrella, bilingual fields: the
``organization`` of package_show, which Solr answers from its copy) reindexes
them, and a rename those of the partners under it too: here, through CKAN's
search layer, so on either backend (CKAN itself reindexes no dataset when its
organization changes).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.schema import vocabularies

from . import umbrella

FACETS = ("partner_type", "organisation_principale")


def add_partner_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    organization = model.Group.get(pkg_dict.get("owner_org") or "")
    if organization is None:
        return pkg_dict
    extras = organization.extras or {}
    if extras.get("partner_type"):
        pkg_dict["partner_type"] = extras["partner_type"]
    above = umbrella.stored_umbrella(organization)
    pkg_dict["organisation_principale"] = (
        (above.name if above is not None else None)
        or pkg_dict.get("organisation_principale")
        or organization.name)
    return pkg_dict


def indexed_facts(organization: model.Group) -> tuple[str, Any, ...]:
    """What the index documents of ``organization``'s datasets carry of it, its name first:
    the columns of package_show's ``organization`` and its extras (type, umbrella, fr/en fields)."""
    return (organization.name, organization.title, organization.description,
            organization.image_url, organization.type, sorted((organization.extras or {}).items()))


def reindex_after_edit(organization: model.Group, before: tuple[str, Any, ...]) -> None:
    """Index again the datasets that carry what an edit of ``organization`` changed.

    ``before`` is :func:`indexed_facts` before the edit. Any change of those
    changes its own datasets' documents; a new name also those of the
    partners directly under it (their umbrella's name).
    """
    from ckanext.quebec.compat_ckan import reindex

    if indexed_facts(organization) == before:
        return
    owners = [organization.id]
    if organization.name != before[0]:
        owners += _sub_partners(organization.id)
    dataset_ids = [dataset_id for (dataset_id,) in model.Session.query(model.Package.id).filter(
        model.Package.owner_org.in_(owners), model.Package.state != "deleted")]
    if dataset_ids:
        reindex(package_ids=dataset_ids)


def _sub_partners(umbrella_id: str) -> list[str]:
    """The active organizations directly under ``umbrella_id``."""
    from .directory import partner_fields

    organization_ids = [group_id for (group_id,) in model.Session.query(model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")]
    return [group_id for group_id, fields in partner_fields(
        organization_ids, (umbrella.FIELD,)).items() if fields.get(umbrella.FIELD) == umbrella_id]


def facet_titles() -> dict[str, str]:
    return {
        "partner_type": tk._("Publisher type"),
        "organisation_principale": tk._("Umbrella partner"),
    }


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """Show partner types by their label and umbrellas by their organization's title."""
    facets = search_results.get("search_facets") or {}
    for item in (facets.get("partner_type") or {}).get("items", []):
        item["display_name"] = vocabularies.label(
            "partner_types", item["name"], _language()) or item["name"]
    for item in (facets.get("organisation_principale") or {}).get("items", []):
        group = model.Group.by_name(item["name"])
        if group is not None:
            item["display_name"] = group.display_name
    return search_results


def _language() -> str:
    try:
        return tk.h.lang() or vocabularies.DEFAULT_LANGUAGE
    except (RuntimeError, AttributeError, TypeError):
        # No request (CLI, background job): the portal's language.
        return vocabularies.DEFAULT_LANGUAGE
