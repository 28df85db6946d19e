"""API actions of the quebec_reuses plugin: submit a reuse, review it, find the approved ones."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.quebec.guides.shared import validated, visible_dataset

from . import store, validation
from .auth import may_review

__all__ = ["quebec_reuse_create", "quebec_reuse_show", "quebec_reuse_search", "quebec_reuse_approve",
           "quebec_reuse_reject", "quebec_reuse_delete"]


def get_actions() -> dict:
    return {name: globals()[name] for name in __all__}


def _user_id(context: Context) -> str | None:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def _image(data_dict: DataDict) -> bytes | None:
    """The uploaded image (``image_upload``), checked and resized; None when there is none."""
    upload = (data_dict or {}).get("image_upload")
    if upload is None or upload == "":
        return None
    if not hasattr(upload, "read"):
        raise tk.ValidationError({"image_upload": [tk._("Must be an uploaded image file")]})
    data = upload.read(validation.IMAGE_MAX_BYTES + 1)
    if len(data) > validation.IMAGE_MAX_BYTES:
        raise tk.ValidationError({"image_upload": [
            tk._("The image must be at most {size} MB").format(size=validation.IMAGE_MAX_BYTES // 2**20)]})
    try:
        return store.resized_png(data)
    except ValueError:
        raise tk.ValidationError({"image_upload": [tk._("Must be a PNG, JPEG, GIF or WebP image")]})


def quebec_reuse_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a reuse; it is public once a sysadmin or a publisher of one of its datasets approves it.

    :param title_fr: the title in French (``title_en``: in English), at most 200 characters
    :type title_fr: string
    :param description_fr: the description in French (``description_en``), at most 2,000 characters
    :type description_fr: string
    :param reuse_type: application, visualisation, article, recherche, api or autre
    :type reuse_type: string
    :param url: the reuse's web address (http or https)
    :type url: string
    :param datasets: ids or names of the datasets it uses (1 to 50), each one the caller may see
    :type datasets: list of strings
    :param image_upload: an image (PNG, JPEG, GIF or WebP, at most 5 MB), resized to 800 pixels wide
        (optional, multipart upload)
    :type image_upload: file
    :returns: the reuse, pending
    :rtype: dictionary
    """
    tk.check_access("quebec_reuse_create", context, data_dict)
    data = validated({key: value for key, value in (data_dict or {}).items() if key != "image_upload"},
                      validation.reuse_schema(), context)
    datasets = []
    for reference in data["datasets"]:
        dataset = visible_dataset(context.get("user"), reference)
        if dataset is None:
            raise tk.ValidationError({"datasets": [
                tk._("Dataset not found: {dataset}").format(dataset=reference[:100])]})
        datasets.append(dataset)
    image = _image(data_dict)
    public = [dataset for dataset in datasets if not dataset.private]
    fields = {field: data[field] for field in store.TEXT_FIELDS + ("reuse_type", "url")}
    fields.update(
        datasets=list(dict.fromkeys(dataset.id for dataset in datasets)),
        # Facets name only what anyone may see: the categories and publishers of public datasets.
        categories=sorted({group.name for dataset in public for group in dataset.get_groups("group")}),
        organizations=sorted({dataset.owner_org and model.Group.get(dataset.owner_org).name
                              for dataset in public if dataset.owner_org}))
    reuse = store.create(fields, image, _user_id(context))
    model.Session.commit()
    return _shown(context, reuse)


def _reuse_or_404(context: Context, data_dict: DataDict) -> dict[str, Any]:
    reuse = store.get(validated(data_dict, validation.id_schema(), context)["id"])
    if reuse is None:
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    return reuse


def _may_see(context: Context, reuse: dict[str, Any]) -> bool:
    return reuse["state"] == "approved" or (
        reuse["submitter_id"] is not None and reuse["submitter_id"] == _user_id(context)) \
        or may_review(context.get("user"), reuse)


def _shown(context: Context, reuse: dict[str, Any]) -> dict[str, Any]:
    """The reuse as the caller may see it: the datasets they may not see left out."""
    shown = dict(reuse)
    shown["datasets"] = [dataset_id for dataset_id in reuse["datasets"]
                         if visible_dataset(context.get("user"), dataset_id) is not None]
    return shown


@tk.side_effect_free
def quebec_reuse_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A reuse: an approved one to anyone; a pending or rejected one to its submitter and reviewers.

    :param id: the reuse's id
    :type id: string
    :returns: the reuse; ``datasets`` lists only those the caller may see
    :rtype: dictionary
    """
    tk.check_access("quebec_reuse_show", context, data_dict)
    reuse = _reuse_or_404(context, data_dict)
    if not _may_see(context, reuse):
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    return _shown(context, reuse)


def _review(context: Context, data_dict: DataDict, action: str, state: str) -> dict[str, Any]:
    tk.check_access(action, context, data_dict)
    reuse = _reuse_or_404(context, data_dict)
    reuse = store.review(reuse["id"], state, _user_id(context))
    model.Session.commit()
    return _shown(context, reuse)


def quebec_reuse_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a reuse: it becomes public.

    :param id: the reuse's id
    :type id: string
    :rtype: dictionary
    """
    return _review(context, data_dict, "quebec_reuse_approve", "approved")


def quebec_reuse_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject a reuse: it stays hidden from the public.

    :param id: the reuse's id
    :type id: string
    :rtype: dictionary
    """
    return _review(context, data_dict, "quebec_reuse_reject", "rejected")


def quebec_reuse_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a reuse and its image.

    :param id: the reuse's id
    :type id: string
    """
    tk.check_access("quebec_reuse_delete", context, data_dict)
    store.delete(_reuse_or_404(context, data_dict))
    model.Session.commit()


@tk.side_effect_free
def quebec_reuse_search(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The approved reuses, with facets; a sysadmin may ask for the pending and rejected ones too.

    :param reuse_type: a value of reuse_types (optional)
    :type reuse_type: string
    :param category: a category of their datasets (optional)
    :type category: string
    :param organization: the name of an organization publishing one of their datasets (optional)
    :type organization: string
    :param dataset: a dataset's id or name: the reuses that use it (optional)
    :type dataset: string
    :param include_pending: pending and rejected too (sysadmins only; optional, default false)
    :type include_pending: bool
    :param state: only reuses in that state (optional)
    :type state: string
    :param limit: at most this many (1 to 100, default 20)
    :type limit: int
    :param offset: skip this many first (default 0)
    :type offset: int
    :returns: ``count``, ``results`` and ``facets`` (reuse_type, categories, organizations)
    :rtype: dictionary
    """
    tk.check_access("quebec_reuse_search", context, data_dict)
    data = validated(data_dict, validation.search_schema(), context)
    table = store.reuse_table
    where = []
    if not (data.get("include_pending") and authz.is_sysadmin(context.get("user"))):
        where.append(table.c.state == "approved")
    for key, column in (("state", table.c.state), ("reuse_type", table.c.reuse_type)):
        if key in data:
            where.append(column == data[key])
    if "category" in data:
        where.append(table.c.categories.any(data["category"]))
    if "organization" in data:
        where.append(table.c.organizations.any(data["organization"]))
    if "dataset" in data:
        dataset = visible_dataset(context.get("user"), data["dataset"])
        if dataset is None:
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        where.append(table.c.datasets.any(dataset.id))
    count, reuses, facets = store.search(where, data.get("limit", 20), data.get("offset", 0))
    return {"count": count, "results": [_shown(context, reuse) for reuse in reuses], "facets": facets}
