"""API actions of the quebec_guides plugin: guides of the pedagogical section, their revisions and editors."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from . import store, validation
from .auth import may_manage
from .shared import validated, visible_dataset

__all__ = ["quebec_guide_create", "quebec_guide_update", "quebec_guide_publish",
           "quebec_guide_unpublish", "quebec_guide_delete", "quebec_guide_revision_list",
           "quebec_guide_show", "quebec_guide_search", "quebec_guide_editor_add",
           "quebec_guide_editor_remove", "quebec_guide_editor_list"]


def get_actions() -> dict:
    return {name: globals()[name] for name in __all__}


def _guide_or_404(id_or_name: str) -> dict[str, Any]:
    guide = store.get(id_or_name)
    if guide is None:
        raise tk.ObjectNotFound(tk._("Guide not found"))
    return guide


def _user_id(context: Context) -> str | None:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def _visible_dataset(context: Context, id_or_name: str) -> model.Package | None:
    return visible_dataset(context.get("user"), id_or_name)


def _content(data: dict[str, Any], context: Context) -> dict[str, Any]:
    """The stored fields of a validated guide: datasets by id, each one the caller may see."""
    content = {field: data[field] for field in store.CONTENT_FIELDS}
    ids = []
    for reference in data["datasets"]:
        dataset = _visible_dataset(context, reference)
        if dataset is None:
            raise tk.ValidationError({"datasets": [
                tk._("Dataset not found: {dataset}").format(dataset=reference[:100])]})
        ids.append(dataset.id)
    content["datasets"] = list(dict.fromkeys(ids))
    return content


def _write(context: Context, write) -> dict[str, Any]:
    """Run ``write`` and commit; a name taken meanwhile is a validation error, nothing stored."""
    try:
        guide = write()
        model.Session.commit()
    except sa.exc.IntegrityError:
        model.Session.rollback()
        raise tk.ValidationError({"name": [tk._("That URL is already in use.")]})
    return _shown(context, guide)


def quebec_guide_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create a guide, as a draft, with its first revision.

    :param name: the guide's URL name (2 to 100 lowercase letters, digits, - and _)
    :type name: string
    :param title_fr: the title in French (``title_en``: in English), at most 200 characters
    :type title_fr: string
    :param summary_fr: the summary in French (``summary_en``), at most 1,000 characters
    :type summary_fr: string
    :param body_fr: the body in French (``body_en``), Markdown, at most 100,000 characters
    :type body_fr: string
    :param audience: who it is for, values of the guide_audiences vocabulary
    :type audience: list of strings
    :param topic: a value of the guide_topics vocabulary
    :type topic: string
    :param datasets: ids or names of related datasets (optional)
    :type datasets: list of strings
    :param categories: related categories, values of the categories vocabulary (optional)
    :type categories: list of strings
    :returns: the guide
    :rtype: dictionary
    """
    tk.check_access("quebec_guide_create", context, data_dict)
    data = validated(data_dict, validation.guide_schema(), context)
    if store.get(data["name"]) is not None:
        raise tk.ValidationError({"name": [tk._("That URL is already in use.")]})
    content = _content(data, context)
    return _write(context, lambda: store.create(data["name"], content, _user_id(context)))


def quebec_guide_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a guide's fields; the fields not given keep their values. The new content is kept as a revision.

    :param id: the guide's id or name
    :type id: string
    :param name, title_fr, title_en, summary_fr, summary_en, body_fr, body_en, audience,
        topic, datasets, categories: as for ``quebec_guide_create`` (optional)
    :returns: the guide
    :rtype: dictionary
    """
    tk.check_access("quebec_guide_update", context, data_dict)
    guide = _guide_or_404(validated(data_dict, validation.id_schema(), context)["id"])
    merged = {field: guide[field] for field in ("name",) + store.CONTENT_FIELDS}
    merged.update({key: value for key, value in (data_dict or {}).items() if key in merged})
    data = validated(merged, validation.guide_schema(), context)
    other = store.get(data["name"])
    if other is not None and other["id"] != guide["id"]:
        raise tk.ValidationError({"name": [tk._("That URL is already in use.")]})
    content = _content(data, context)
    return _write(context, lambda: store.update(guide, data["name"], content, _user_id(context)))


def _set_state(context: Context, data_dict: DataDict, action: str, state: str) -> dict[str, Any]:
    tk.check_access(action, context, data_dict)
    guide = _guide_or_404(validated(data_dict, validation.id_schema(), context)["id"])
    return _write(context, lambda: store.set_state(guide["id"], state))


def quebec_guide_publish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a guide: everyone may read it from now on.

    :param id: the guide's id or name
    :type id: string
    :rtype: dictionary
    """
    return _set_state(context, data_dict, "quebec_guide_publish", "published")


def quebec_guide_unpublish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take a guide back to draft: only sysadmins and guide editors see it.

    :param id: the guide's id or name
    :type id: string
    :rtype: dictionary
    """
    return _set_state(context, data_dict, "quebec_guide_unpublish", "draft")


def quebec_guide_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a guide and its revisions.

    :param id: the guide's id or name
    :type id: string
    """
    tk.check_access("quebec_guide_delete", context, data_dict)
    guide = _guide_or_404(validated(data_dict, validation.id_schema(), context)["id"])
    store.delete(guide["id"])
    model.Session.commit()


@tk.side_effect_free
def quebec_guide_revision_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The kept revisions of a guide, newest first.

    :param id: the guide's id or name
    :type id: string
    :returns: ``revision``, ``created``, ``author_id`` and ``content`` of each
    :rtype: list of dictionaries
    """
    tk.check_access("quebec_guide_revision_list", context, data_dict)
    guide = _guide_or_404(validated(data_dict, validation.id_schema(), context)["id"])
    return store.revisions(guide["id"])


@tk.side_effect_free
def quebec_guide_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A guide: a published one to anyone, a draft to sysadmins and guide editors only.

    :param id: the guide's id or name
    :type id: string
    :param revision: a kept revision's number, to see its content (managers only, optional)
    :type revision: int
    :returns: the guide; ``datasets`` lists only the datasets the caller may see
    :rtype: dictionary
    """
    tk.check_access("quebec_guide_show", context, data_dict)
    data = validated(data_dict, validation.show_schema(), context)
    guide = _guide_or_404(data["id"])
    manager = may_manage(context.get("user"))
    if guide["state"] != "published" and not manager:
        raise tk.ObjectNotFound(tk._("Guide not found"))
    if "revision" in data:
        if not manager:
            raise tk.NotAuthorized(tk._("Only sysadmins and guide editors may manage guides"))
        kept = [item for item in store.revisions(guide["id"]) if item["revision"] == data["revision"]]
        if not kept:
            raise tk.ObjectNotFound(tk._("Revision not found"))
        guide.update(kept[0]["content"], revision=data["revision"])
    return _shown(context, guide)


def _shown(context: Context, guide: dict[str, Any]) -> dict[str, Any]:
    """The guide as the caller may see it: hidden datasets left out, author's name added."""
    shown = dict(guide)
    datasets = [_visible_dataset(context, dataset_id) for dataset_id in guide["datasets"]]
    shown["datasets"] = [dataset.id for dataset in datasets if dataset is not None]
    author = model.User.get(guide["author_id"] or "") if guide.get("author_id") else None
    shown["author"] = (author.fullname or author.name) if author else None
    return shown


@tk.side_effect_free
def quebec_guide_search(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Find guides by words and facets; published ones, drafts too for sysadmins and guide editors who ask.

    :param q: words, each to be found in the title, summary or body (optional)
    :type q: string
    :param language: the language the words are looked for in, fr (default) or en
    :type language: string
    :param audience: a value of guide_audiences (optional)
    :type audience: string
    :param topic: a value of guide_topics (optional)
    :type topic: string
    :param category: a value of categories (optional)
    :type category: string
    :param dataset: a dataset's id or name: the guides linked to it or to one of its categories (optional)
    :type dataset: string
    :param include_drafts: drafts too (sysadmins and guide editors only; optional, default false)
    :type include_drafts: bool
    :param state: only guides in that state, draft or published (optional)
    :type state: string
    :param sort: modified (newest first, default) or title (in ``language``)
    :type sort: string
    :param limit: at most this many guides (1 to 100, default 20)
    :type limit: int
    :param offset: skip this many guides first (default 0)
    :type offset: int
    :returns: ``count``, ``results`` and ``facets`` (audience, topic, categories: value → count)
    :rtype: dictionary
    """
    tk.check_access("quebec_guide_search", context, data_dict)
    data = validated(data_dict, validation.search_schema(), context)
    language = data.get("language", "fr")
    table = store.guide_table
    where = store.text_matches((data.get("q") or "").split(), language)
    if not (data.get("include_drafts") and may_manage(context.get("user"))):
        where.append(table.c.state == "published")
    if "state" in data:
        where.append(table.c.state == data["state"])
    if "audience" in data:
        where.append(table.c.audience.any(data["audience"]))
    if "topic" in data:
        where.append(table.c.topic == data["topic"])
    if "category" in data:
        where.append(table.c.categories.any(data["category"]))
    if "dataset" in data:
        where.append(_linked_to(context, data["dataset"]))
    order = f"title_{language}" if data.get("sort") == "title" else "modified"
    count, guides, facets = store.search(where, order, data.get("limit", 20), data.get("offset", 0))
    return {"count": count, "results": [_shown(context, guide) for guide in guides],
            "facets": facets}


def _linked_to(context: Context, reference: str) -> Any:
    dataset = _visible_dataset(context, reference)
    if dataset is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    categories = [group.name for group in dataset.get_groups("group")]
    table = store.guide_table
    return sa.or_(table.c.datasets.any(dataset.id), table.c.categories.overlap(categories))


def _user_or_404(data_dict: DataDict, context: Context) -> model.User:
    user = model.User.get(validated(data_dict, validation.user_schema(), context)["user"])
    if user is None or user.state != "active":
        raise tk.ObjectNotFound(tk._("User not found"))
    return user


def quebec_guide_editor_add(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Make a user a guide editor: they may create, edit, publish and unpublish guides.

    :param user: the user's id or name
    :type user: string
    :returns: ``user``: the user's id
    :rtype: dictionary
    """
    tk.check_access("quebec_guide_editor_add", context, data_dict)
    user = _user_or_404(data_dict, context)
    store.add_editor(user.id)
    model.Session.commit()
    return {"user": user.id}


def quebec_guide_editor_remove(context: Context, data_dict: DataDict) -> None:
    """A user is no longer a guide editor.

    :param user: the user's id or name
    :type user: string
    """
    tk.check_access("quebec_guide_editor_remove", context, data_dict)
    user = _user_or_404(data_dict, context)
    store.remove_editor(user.id)
    model.Session.commit()


@tk.side_effect_free
def quebec_guide_editor_list(context: Context, data_dict: DataDict) -> list[str]:
    """The guide editors' user names.

    Takes no parameter.

    :rtype: list of strings
    """
    tk.check_access("quebec_guide_editor_list", context, data_dict)
    users = [model.User.get(user_id) for user_id in store.editors()]
    return [user.name for user in users if user is not None]
