"""The partners (organizations) of the datasets being serialized, read once per page or export."""
from __future__ import annotations

import contextlib
import contextvars
import copy
from typing import Any, Iterator

import ckan.plugins.toolkit as tk

from ckanext.quebec.partners.umbrella import names_by_id as umbrella_names_by_id

from .. import compat_dcat, config

# The partners (organizations) of the datasets being serialized, by id and by
# name. Profiles are created anew for each dataset; a catalogue page repeats
# the same few partners, read once for the page by partners_of().
_page_partners: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "quebec_dcat_page_partners", default=None
)


@contextlib.contextmanager
def partners_of(datasets: list[dict[str, Any]],
                cache: dict[str, Any] | None = None) -> Iterator[None]:
    """Within the block, the partners of ``datasets`` (and their umbrellas) are read in a few queries.

    ``cache`` (the partners already read, by id and name) is shared by the
    pages of one export, so that each partner is read once for all of them.
    """
    cache = {} if cache is None else cache
    names = {d["organization"]["name"] for d in datasets if d.get("organization")} - set(cache)
    while names:
        _fetch_partners(sorted(names), cache)
        names = set(umbrella_names_by_id(
            p["organisation_principale"] for p in cache.values()
            if p and p.get("organisation_principale")
        ).values()) - set(cache)
    # ckanext-dcat's profiles keep organizations in a class-wide cache that
    # never expires: give them this page's dicts.
    compat_dcat.share_organizations(p for p in cache.values() if p)
    token = _page_partners.set(cache)
    try:
        yield
    finally:
        _page_partners.reset(token)


def _fetch_partners(names: list[str], cache: dict[str, Any]) -> None:
    fingerprints = _fingerprints(names)
    missing = []
    for name in names:
        known = _KNOWN_PARTNERS.get(fingerprints.get(name))
        if known is None:
            missing.append(name)
        else:
            organization = copy.deepcopy(known)
            cache[organization["id"]] = cache[organization["name"]] = organization
    for start in range(0, len(missing), 25):  # organization_list's all_fields limit
        chunk = missing[start:start + 25]
        found = tk.get_action("organization_list")(
            {"ignore_auth": True},
            {"organizations": chunk, "all_fields": True, "include_extras": True,
             "include_dataset_count": False, "include_member_count": False,
             "limit": len(chunk)},
        )
        for organization in found:
            organization = _flattened(organization)
            cache[organization["id"]] = cache[organization["name"]] = organization
            if organization["name"] in fingerprints:
                if len(_KNOWN_PARTNERS) >= _KNOWN_PARTNERS_MAX:
                    _KNOWN_PARTNERS.clear()
                _KNOWN_PARTNERS[fingerprints[organization["name"]]] = copy.deepcopy(organization)
        for name in set(chunk) - {o["name"] for o in found}:
            cache[name] = None


# The partners' dicts already read by this process, by fingerprint: the
# organization's row (its extras with it) as it is now, the site and the plugins.
# organization_show validates each one (a few ms each, some seventy a page);
# a partner that has not changed since is not read again.
_KNOWN_PARTNERS: dict[str, dict[str, Any]] = {}
_KNOWN_PARTNERS_MAX = 5000

# The organization's row; before CKAN 2.12, its extras were in group_extra.
_FINGERPRINTS = """
    SELECT g.name, md5(row_to_json(g)::text)
    FROM "group" g WHERE g.name = ANY(:names) AND g.is_organization
"""
_FINGERPRINTS_GROUP_EXTRA = """
    SELECT g.name, md5(row_to_json(g)::text || coalesce((
        SELECT string_agg(row_to_json(e)::text, ',' ORDER BY e.key, e.id)
        FROM group_extra e WHERE e.group_id = g.id), ''))
    FROM "group" g WHERE g.name = ANY(:names) AND g.is_organization
"""


def _fingerprints(names: list[str]) -> dict[str, str]:
    """Each organization's fingerprint, by name (organizations not found have none)."""
    import sqlalchemy as sa
    from ckan import model

    query = _FINGERPRINTS_GROUP_EXTRA if hasattr(model, "group_extra_table") else _FINGERPRINTS
    rows = model.Session.execute(sa.text(query), {"names": list(names)}).fetchall()
    setting = "|".join(str(value) for value in (
        config.site_url(), tk.config.get("ckan.plugins"), tk.config.get("ckan.locale_default")))
    return {name: f"{setting}|{digest}" for name, digest in rows}


def partner(name_or_id: str | None) -> dict[str, Any] | None:
    """A partner's organization dict with its schema fields at the top level, or None."""
    if not name_or_id:
        return None
    cache = _page_partners.get()
    if cache is not None and name_or_id in cache:
        return cache[name_or_id]
    try:
        organization = tk.get_action("organization_show")(
            {"ignore_auth": True},
            {"id": name_or_id, "include_datasets": False, "include_users": False,
             "include_groups": False, "include_tags": False, "include_followers": False},
        )
    except (tk.ObjectNotFound, tk.ValidationError):
        organization = None
    if cache is not None:
        cache[name_or_id] = organization
    return organization


def _flattened(organization: dict[str, Any]) -> dict[str, Any]:
    """organization_list's dict with its extras at the top level, as organization_show gives them."""
    organization = dict(organization)
    for extra in organization.pop("extras", None) or []:
        if isinstance(extra, dict) and extra.get("state", "active") == "active":
            organization.setdefault(extra["key"], extra["value"])
    return organization
