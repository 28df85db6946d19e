"""API actions of the quebec_partners plugin: partnership statistics, umbrella admins' activity view.

The sysadmin-only partner fields are guarded by a validator of the schema
(``quebec_partner_sysadmin_only``), which every action that writes an
organization runs: organization_* and group_*, from the API or the form.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict, Schema

from ckanext.quebec.schema import vocabularies

from . import indexing
from .validators import quebec_partner_boolean

__all__ = ["quebec_partnership_stats", "group_create", "organization_update", "group_update",
           "bulk_update_private", "bulk_update_public", "bulk_update_delete",
           "package_activity_list"]


@tk.side_effect_free
def quebec_partnership_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Statistics of the Partenariat Données Québec.

    Partners are the active organizations; datasets are those the caller may
    see (public ones, plus the private ones of the caller's organizations
    unless ``include_private`` is false), counted through ``package_search``
    so the figures match the search page.

    :param include_private: count the private datasets the caller may see
        (optional, default true)
    :type include_private: bool

    :returns: ``partners``: ``total``, ``by_group`` (gouvernement, municipal,
        societe-civile), ``by_type`` (every partner type, zero included) and
        ``without_type``; ``datasets``: ``total``, ``by_group``, ``by_type``,
        ``without_type`` and ``by_category`` (CKAN group name → count);
        ``partners_joined_per_year`` (year of ``date_joined``, else of the
        organization's creation → count) and ``datasets_published_per_year``
        (year of ``metadata_created`` → count), years as strings, in order
    :rtype: dictionary
    """
    tk.check_access("quebec_partnership_stats", context, data_dict)
    data, errors = tk.navl_validate(data_dict, _stats_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    include_private = data.get("include_private", True)
    user = context.get("user")

    types = vocabularies.get("partner_types")
    group_of_type = {entry["value"]: entry["group"] for entry in types}
    groups = list(dict.fromkeys(entry["group"] for entry in types))
    partners = _organizations()
    search = _search(user, include_private, {
        "facet.field": ["partner_type", "groups"], "facet.limit": -1})
    return {
        "partners": _partner_counts(partners, group_of_type, groups),
        "datasets": _dataset_counts(search, group_of_type, groups),
        "partners_joined_per_year": _partners_per_year(partners),
        "datasets_published_per_year": _datasets_per_year(user, include_private),
    }


def _partner_counts(partners: list[dict], group_of_type: dict[str, str], groups: list[str]) -> dict[str, Any]:
    """The partners: ``total``, ``by_group``, ``by_type`` (zero included) and ``without_type``."""
    partner_types = [partner.get("partner_type") for partner in partners]
    return {
        "total": len(partners),
        "by_group": {group: sum(1 for value in partner_types
                                if group_of_type.get(value) == group)
                     for group in groups},
        "by_type": {value: partner_types.count(value) for value in group_of_type},
        "without_type": sum(1 for value in partner_types if value not in group_of_type),
    }


def _dataset_counts(search: dict, group_of_type: dict[str, str], groups: list[str]) -> dict[str, Any]:
    """The datasets of a faceted search: ``total``, ``by_group``, ``by_type``, ``without_type``, ``by_category``."""
    type_facet = search["facets"].get("partner_type", {})
    return {
        "total": search["count"],
        "by_group": {group: sum(count for value, count in type_facet.items()
                                if group_of_type.get(value) == group)
                     for group in groups},
        "by_type": {value: type_facet.get(value, 0) for value in group_of_type},
        "without_type": search["count"] - sum(type_facet.values()),
        "by_category": dict(sorted(search["facets"].get("groups", {}).items())),
    }


def _partners_per_year(partners: list[dict]) -> dict[str, int]:
    """Partners by year of ``date_joined``, else of the organization's creation, years in order."""
    joined: dict[str, int] = {}
    for partner in partners:
        year = (partner.get("date_joined") or partner["created"])[:4]
        if year.isdigit():
            joined[year] = joined.get(year, 0) + 1
    return dict(sorted(joined.items()))


@tk.chained_action
def group_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's group_create; ``type=organization`` is refused as a validation error.

    Core raises a bare ``Exception`` there, which the API answers with a 500.
    """
    if data_dict.get("type") == "organization":
        tk.check_access("group_create", context, data_dict)
        raise tk.ValidationError({"type": [tk._(
            "An organization is created with organization_create, not group_create")]})
    return next_action(context, data_dict)


@tk.chained_action
def organization_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's organization_update; the datasets whose index documents carry what the edit changed
    (the partner's name, type or umbrella; a new name, those of the partners under it too) are
    indexed again."""
    return _reindexing_partners(next_action, context, data_dict)


@tk.chained_action
def group_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's group_update; as organization_update for an organization."""
    return _reindexing_partners(next_action, context, data_dict)


@tk.chained_action
def bulk_update_private(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's bulk_update_private, each dataset edited with package_patch (_bulk_update)."""
    return _bulk_update(next_action, context, data_dict, "bulk_update_private", {"private": True})


@tk.chained_action
def bulk_update_public(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's bulk_update_public; as bulk_update_private."""
    return _bulk_update(next_action, context, data_dict, "bulk_update_public", {"private": False})


@tk.chained_action
def bulk_update_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's bulk_update_delete; as bulk_update_private."""
    return _bulk_update(next_action, context, data_dict, "bulk_update_delete", {"state": "deleted"})


@tk.chained_action
@tk.side_effect_free
def package_activity_list(next_action: Action, context: Context,
                          data_dict: DataDict) -> list[dict[str, Any]]:
    """Core's package_activity_list (ckanext-activity).

    A dataset's activity is filtered by the caller's permission labels, so
    that of a private dataset is seen by its organization's members only.
    Those whom ``quebec_partner_activity_show`` allows on the dataset's
    organization (the admins of its umbrella partners, at any level) see it
    too.
    """
    _check_activity_list_types(data_dict)
    user = context.get("user")
    dataset = model.Package.get(data_dict.get("id") or "")
    if dataset is None or not dataset.owner_org or authz.is_sysadmin(user) or \
            authz.has_user_permission_for_group_or_org(dataset.owner_org, user, "read") or \
            not authz.is_authorized("quebec_partner_activity_show", context,
                                    {"id": dataset.owner_org})["success"]:
        return next_action(context, data_dict)
    from ckanext.quebec.compat_ckan import get_permission_labels
    from ckanext.activity.logic import schema as activity_schema
    from ckanext.activity.model import activity as model_activity

    data, errors = tk.navl_validate(dict(data_dict), activity_schema.default_activity_list_schema(),
                                    context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("package_activity_list", context, data)
    user_obj = context.get("auth_user_obj") or model.User.get(user)
    labels = list(get_permission_labels().get_user_dataset_labels(user_obj))
    labels.append(f"member-{dataset.owner_org}")
    activities = model_activity.package_activity_list(
        dataset.id, limit=data["limit"], offset=data.get("offset", 0),
        after=data.get("after"), before=data.get("before"),
        include_hidden_activity=data.get("include_hidden_activity", False),
        activity_types=data.get("activity_types"),
        exclude_activity_types=data_dict.get("exclude_activity_types"),
        user_permission_labels=labels)
    return model_activity.activity_list_dictize(activities, context)


def get_actions() -> dict:
    actions = {
        "quebec_partnership_stats": quebec_partnership_stats,
        "group_create": group_create,
        "organization_update": organization_update,
        "group_update": group_update,
        "bulk_update_private": bulk_update_private,
        "bulk_update_public": bulk_update_public,
        "bulk_update_delete": bulk_update_delete,
    }
    if p.plugin_loaded("activity"):
        actions["package_activity_list"] = package_activity_list
    return actions


def _reindexing_partners(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    given = data_dict.get("id")
    group = model.Group.get(given) if isinstance(given, str) and "\x00" not in given else None
    before = indexing.indexed_facts(group) if group is not None and group.is_organization else None
    result = next_action(context, data_dict)
    if before is not None:
        indexing.reindex_after_edit(group, before)
    return result


def _bulk_update(next_action: Action, context: Context, data_dict: DataDict, name: str,
                 change: dict[str, Any]) -> Any:
    """An organization's bulk update (its dataset list's Private, Public, Delete
    buttons), made here rather than by core (``next_action`` is not called).

    Each dataset the list names that the organization owns is edited with
    package_patch, ordered with any other edit of it, as CKAN 2.12 means to:
    2.12 passes package_patch a row instead of an id, which the core guards
    (quebec_schema) refuse; 2.11 changes the datasets in one statement, then
    indexes copies read back from the index, and an edit in between was lost
    (from the index, or, made with package_patch, from the database). Core
    answered a list or an organization of another type with a 500. A dataset
    its schema refuses as it stands is left as it is, and named in the error.
    """
    datasets, org_id = data_dict.get("datasets", []), data_dict.get("org_id")
    if not isinstance(datasets, list):
        raise tk.ValidationError({"datasets": [tk._("Not a list")]})
    if not isinstance(org_id, str) or "\x00" in org_id:
        raise tk.ValidationError({"org_id": [tk._("Missing value")]})
    tk.check_access(name, context, data_dict)
    given = [dataset for dataset in datasets if isinstance(dataset, str) and "\x00" not in dataset]
    refused = {}
    for (dataset_id,) in model.Session.query(model.Package.id).filter(
            model.Package.id.in_(given), model.Package.owner_org == org_id).all():
        try:
            tk.get_action("package_patch")(tk.fresh_context(context), dict(change, id=dataset_id))
        except tk.ValidationError as error:
            # The others are changed all the same; those refused are named.
            refused[dataset_id] = error.error_dict
    if refused:
        raise tk.ValidationError({"datasets": [refused]})
    return None


def _check_activity_list_types(data_dict: DataDict) -> None:
    """The id a text, limit and offset whole numbers: core's activity list ends in a 500 on other types."""
    errors = {}
    if "id" in data_dict and (not isinstance(data_dict["id"], str) or "\x00" in data_dict["id"]):
        errors["id"] = [tk._("Must be a string")]
    for key in ("limit", "offset"):
        value = data_dict.get(key)
        if value is not None and (isinstance(value, bool) or not (
                isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()))):
            errors[key] = [tk._("Invalid integer")]
    if errors:
        raise tk.ValidationError(errors)


def _stats_schema() -> Schema:
    return {
        "include_private": [tk.get_validator("ignore_missing"), _boolean],
    }


def _boolean(value: Any) -> bool:
    return value if isinstance(value, bool) else quebec_partner_boolean(value) == "true"


def _organizations() -> list[dict[str, str]]:
    """The active organizations' partner type, date joined and creation date, in two queries at most."""
    from .directory import partner_fields

    groups = model.Session.query(model.Group.id, model.Group.created).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").all()
    fields = partner_fields([group.id for group in groups], ("partner_type", "date_joined"))
    return [dict(fields.get(group.id, {}), created=group.created.isoformat() if group.created else "")
            for group in groups]


def _search(user: Optional[str], include_private: bool, params: dict) -> dict:
    params = dict({"q": "*:*", "rows": 0, "include_private": include_private}, **params)
    return tk.get_action("package_search")({"user": user}, params)


def _datasets_per_year(user: Optional[str], include_private: bool) -> dict[str, int]:
    first = _search(user, include_private, {"rows": 1, "sort": "metadata_created asc"})
    if not first["results"]:
        return {}
    start = int(first["results"][0]["metadata_created"][:4])
    counts = {}
    for year in range(start, datetime.datetime.now(datetime.timezone.utc).year + 1):
        found = _search(user, include_private, {
            "fq": f"metadata_created:[{year}-01-01T00:00:00Z TO {year}-12-31T23:59:59.999Z]"})
        counts[str(year)] = found["count"]
    return counts
