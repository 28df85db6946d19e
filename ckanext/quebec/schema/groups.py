"""Categories and CKAN groups kept in step: a dataset is in a category's group if and only if it has that category.

The dataset's ``categories`` field is the source of truth: it is metadata the
dataset's editors choose, like any other field. Saving a dataset puts it in
the groups of its categories and takes it out of the other category groups,
whatever the editor's own group memberships (the groups are the categories'
public face, not a permission). The other way, adding a dataset to a
category's group or removing it (member_create / member_delete: a group's
page, the dataset's Groups tab, the API) changes its categories to match, so
only someone who may edit the dataset may do it (auth.py). A
request that gives ``groups`` but no ``categories`` has its categories taken
from those groups. Groups that are not categories are left alone, and a
category whose group does not exist in CKAN yet is skipped.
"""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.scheming.validation import scheming_validator

from . import jsonvalue, vocabularies

log = logging.getLogger(__name__)

FIELD = "categories"
VOCABULARY = "categories"


def category_names() -> list[str]:
    return [entry["value"] for entry in vocabularies.get(VOCABULARY)]


def has_categories(dataset_type: str | None) -> bool:
    """Whether datasets of ``dataset_type`` are validated by a scheming schema with the categories field.

    Without scheming_datasets, datasets are core CKAN ones and their groups
    are left as they are, even though the schema file is still readable.
    """
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    if not plugins.plugin_loaded("scheming_datasets"):
        return False
    schema = scheming_get_dataset_schema(dataset_type or "dataset")
    return bool(schema) and any(
        field["field_name"] == FIELD for field in schema.get("dataset_fields", []))


def parse(value: Any) -> list[str]:
    """A stored categories value (JSON list, list or nothing) as a list."""
    if isinstance(value, str):
        value = jsonvalue.from_json(value, invalid=[]) if value.startswith("[") else [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _category_memberships(package_id: str) -> dict[str, model.Member]:
    rows = (model.Session.query(model.Member, model.Group)
            .join(model.Group, model.Member.group_id == model.Group.id)
            .filter(model.Member.table_name == "package")
            .filter(model.Member.table_id == package_id)
            .filter(model.Group.is_organization == False)  # noqa: E712 (SQL)
            .filter(model.Group.name.in_(category_names()))
            .order_by(model.Member.state.asc())
            .all())
    memberships: dict[str, model.Member] = {}
    for member, group in rows:
        memberships.setdefault(group.name, member)  # "active" sorts first
    return memberships


def sync_groups(package_id: str, categories: Any) -> None:
    """Put the dataset in its categories' groups and out of the others (flushed, not committed)."""
    wanted = set(parse(categories)) & set(category_names())
    memberships = _category_memberships(package_id)
    for name, member in memberships.items():
        active = member.state == "active"
        if name in wanted and not active:
            member.state = "active"
        elif name not in wanted and active:
            member.state = "deleted"
    for name in sorted(wanted - set(memberships)):
        group = model.Group.by_name(name)
        if group is None or group.state != "active" or group.is_organization:
            log.warning("No group %s for the category of dataset %s", name, package_id)
            continue
        model.Session.add(model.Member(table_name="package", table_id=package_id,
                                       group_id=group.id, group=group,
                                       capacity="public", state="active"))
    # package_create and package_update read the groups back with plain SQL.
    model.Session.flush()


def after_dataset_saved(context: dict, pkg_dict: dict[str, Any]) -> None:
    """IPackageController after create/update: the category groups follow the categories."""
    if not pkg_dict.get("id") or not has_categories(pkg_dict.get("type")):
        return
    sync_groups(pkg_dict["id"], pkg_dict.get(FIELD))


def dataset_membership(data_dict: dict[str, Any]) -> tuple[model.Group, model.Package] | None:
    """The group (not an organization) and the dataset of a member_create / member_delete request, or None."""
    if data_dict.get("object_type") != "package":
        return None
    group = model.Group.get(data_dict.get("id"))
    package = model.Package.get(data_dict.get("object"))
    if group is None or package is None or group.is_organization:
        return None
    return group, package


def is_category_group(group: model.Group, package: model.Package) -> bool:
    """Whether ``package``'s membership of ``group`` is one of its categories."""
    return group.name in category_names() and has_categories(package.type)


def membership_changed(context: dict, data_dict: dict[str, Any]) -> None:
    """After member_create / member_delete: the categories follow a category group's members."""
    found = dataset_membership(data_dict)
    if found is None or not is_category_group(*found):
        return
    group, package = found
    current = parse(package.extras.get(FIELD))
    in_group = group.name in {
        name for name, member in _category_memberships(package.id).items()
        if member.state == "active"}
    wanted = set(current) | {group.name} if in_group else set(current) - {group.name}
    # The vocabulary's order, as the field stores it.
    ordered = [name for name in category_names() if name in wanted]
    if ordered == current:
        return
    if ordered:
        package.extras[FIELD] = json.dumps(ordered)
    else:
        package.extras.pop(FIELD, None)
    package.metadata_modified = datetime.datetime.utcnow()
    if not context.get("defer_commit"):
        model.repo.commit()
        # Commit first: the index reads the dataset back from the database.
        from ckanext.quebec.compat_ckan import reindex
        reindex(package.id)


@scheming_validator
def quebec_categories_from_groups(field: Any, schema: dict):
    """after_validators: a request with groups but no categories takes its categories from them."""
    return _categories_from_groups


def _categories_from_groups(key, data, errors, context) -> None:
    if any(len(k) == 3 and k[0] == "extras" and k[2] == "key" and v == FIELD
           for k, v in data.items()) or errors.get((FIELD,)):
        return
    given = [v for k, v in data.items() if len(k) == 3 and k[0] == "groups"
             and k[2] in ("name", "id") and v]
    if not given:
        return
    names = []
    for ref in given:
        group = model.Group.get(ref)
        if group is not None and not group.is_organization and group.name in category_names():
            names.append(group.name)
    if not names:
        return
    data[(FIELD,)] = json.dumps([name for name in category_names() if name in names])
    tk.get_converter("convert_to_extras")((FIELD,), data, errors, context)
