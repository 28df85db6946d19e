"""API actions on suggestions: create, show, list, answer (status), moderate, merge.

Votes, comments and the e-mail opt-out are in social.py, campaigns in
campaigns.py. Every action checks its auth function of the same name first,
validates against a schema of validation.py, writes, and commits once.
"""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.quebec.schema import vocabularies

from . import helpers, notify, ratelimit, store, validation

__all__ = ["quebec_suggestion_create", "quebec_suggestion_show", "quebec_suggestion_list",
           "quebec_suggestion_update_status", "quebec_suggestion_moderate", "quebec_suggestion_merge"]


def quebec_suggestion_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suggest data the portal should publish.

    :param title: the data wanted, by language: ``{"fr": "...", "en": "..."}``
        (or its JSON string); French or English alone is enough
    :type title: dict
    :param description: what the data would hold and why, by language (Markdown)
    :type description: dict
    :param category: a category of ``schemas/vocabularies/categories.yaml``
    :type category: string
    :param reason: why: transparency, research, business, personal or other
    :type reason: string
    :param territories: territories the data should cover (optional)
    :type territories: list of strings
    :param owner_org: the organization thought to hold the data (optional)
    :type owner_org: string

    :returns: the suggestion, as ``quebec_suggestion_show`` gives it
    :rtype: dictionary
    """
    tk.check_access("quebec_suggestion_create", context, data_dict)
    data = validation.validate(data_dict, validation.suggestion_create_schema(), context)
    user = current_user(context)
    ratelimit.check("suggestion", user.id)
    suggestion_id = store.insert_suggestion(data, user.id)
    store.commit()
    return quebec_suggestion_show(context, {"id": suggestion_id})


@tk.side_effect_free
def quebec_suggestion_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A suggestion with its history, vote count and whether the caller voted for it.

    A hidden suggestion is found by sysadmins only; a merged one says which
    suggestion it was merged into (``merged_into``).

    :param id: the suggestion's id
    :type id: string

    :rtype: dictionary
    """
    tk.check_access("quebec_suggestion_show", context, data_dict)
    data = validation.validate(data_dict, validation.id_schema(), context)
    found = visible(context, data["id"])
    return dict(_dictize(found, may_moderate(context)), history=_history(found["id"]))


@tk.side_effect_free
def quebec_suggestion_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suggestions, filtered and ranked; merged ones are left out, hidden ones too unless asked by a sysadmin.

    :param q: words of the title or description (optional)
    :type q: string
    :param status: proposed, forwarded, under_review, planned, published or refused (optional)
    :type status: string
    :param category: a category (optional)
    :type category: string
    :param territory: a territory (optional)
    :type territory: string
    :param organization: the id or name of the organization they are sent to (optional)
    :type organization: string
    :param sort: ``votes`` (default), ``activity`` (most recent first) or ``created``
    :type sort: string
    :param include_hidden: sysadmins: list hidden suggestions too (default false)
    :type include_hidden: bool
    :param limit: page size, 1 to 100 (default 20)
    :type limit: int
    :param offset: suggestions to skip (default 0)
    :type offset: int

    :returns: ``count``, ``results`` and ``facets``: for ``status``,
        ``category`` and ``organization``, the values the matching
        suggestions have, each with its ``name`` (the value to filter on),
        ``display_name`` (in the caller's language) and ``count``, most first
    :rtype: dictionary
    """
    tk.check_access("quebec_suggestion_list", context, data_dict)
    data = validation.validate(data_dict, validation.list_schema(), context)
    moderator = may_moderate(context)
    if data.get("include_hidden") and not moderator:
        raise tk.NotAuthorized(tk._("Only a sysadmin may moderate"))
    count, facets, rows = store.search(data, data.get("sort", "votes"), data.get("limit", 20),
                                       data.get("offset", 0), bool(data.get("include_hidden")))
    return {"count": count, "results": [_dictize(row, moderator) for row in rows],
            "facets": _facets(facets)}


def quebec_suggestion_update_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move a suggestion to its next status, with the organization's answer.

    proposed → forwarded (sent to an organization) → under_review → planned →
    published (with the datasets that answer it), or refused (with the
    reason, in ``answer``); a refused suggestion may be studied again. Each
    change is dated in the history and told by e-mail to the submitter and
    the voters who did not opt out.

    :param id: the suggestion's id
    :type id: string
    :param status: the new status
    :type status: string
    :param answer: the organization's answer by language; required to refuse
    :type answer: dict
    :param datasets: ids or names of the datasets that answer it; required to publish
    :type datasets: list of strings
    :param owner_org: sysadmins: the organization to send it to (required to
        forward a suggestion that names none)
    :type owner_org: string

    :rtype: dictionary
    """
    tk.check_access("quebec_suggestion_update_status", context, data_dict)
    data = validation.validate(data_dict, validation.status_schema(), context)
    found = visible(context, data["id"])
    store.lock(found["id"])
    _check_transition(found, data)
    user = current_user(context)
    store.add_status(found["id"], data["status"], data.get("answer"), user.id)
    store.set_status(found["id"], data["status"], data.get("datasets"), data.get("owner_org"))
    store.commit()
    notify.enqueue(found["id"])
    return quebec_suggestion_show(context, {"id": found["id"]})


def quebec_suggestion_moderate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Hide an abusive suggestion (with the reason, kept for moderators) or show it again.

    :param id: the suggestion's id
    :type id: string
    :param hidden: true to hide, false to show again
    :type hidden: bool
    :param reason: why it is hidden; required to hide
    :type reason: string

    :rtype: dictionary
    """
    return quebec_suggestion_show(context, {"id": moderate(context, data_dict, "suggestion")})


def quebec_suggestion_merge(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Merge a duplicate into the suggestion it repeats: its votes move there (one per account).

    :param id: the duplicate's id
    :type id: string
    :param into: the id of the suggestion it repeats
    :type into: string

    :returns: the suggestion merged into
    :rtype: dictionary
    """
    tk.check_access("quebec_suggestion_merge", context, data_dict)
    data = validation.validate(data_dict, validation.merge_schema(), context)
    duplicate = _found(store.get(data["id"]))
    target = _found(store.get(data["into"]))
    if duplicate["id"] == target["id"] or target["merged_into"] or duplicate["merged_into"]:
        raise tk.ValidationError({"into": [tk._(
            "A suggestion is merged once, into another suggestion that is not merged itself")]})
    store.lock(duplicate["id"])
    store.lock(target["id"])
    store.merge(duplicate["id"], target["id"])
    store.commit()
    return quebec_suggestion_show(context, {"id": target["id"]})


def moderate(context: Context, data_dict: DataDict, table: str) -> str:
    """Hide (with the reason) or show again a suggestion or a comment (``table``); the row's id.

    The flow of both moderation actions: their auth function, the moderation
    schema, the row found or a 404, one commit.
    """
    tk.check_access(f"quebec_{table}_moderate", context, data_dict)
    data = validation.validate(data_dict, validation.moderate_schema(), context)
    if table == "suggestion":
        found = _found(store.get(data["id"]))
    else:
        found = store.comment(data["id"])
        if found is None:
            raise tk.ObjectNotFound(tk._("Comment not found"))
    store.set_hidden(table, found["id"], _moderation_reason(data))
    store.commit()
    return found["id"]


def _moderation_reason(data: dict) -> Optional[str]:
    """The reason to store: required to hide, dropped when shown again."""
    if not data["hidden"]:
        return None
    if not data.get("reason"):
        raise tk.ValidationError({"reason": [tk._("Say why it is hidden")]})
    return data["reason"]


def _check_transition(found: dict, data: dict) -> None:
    current, wanted = found["status"], data["status"]
    if found["merged_into"] or found["hidden_reason"]:
        raise tk.ValidationError({"id": [tk._("A hidden or merged suggestion cannot be answered")]})
    if wanted not in validation.TRANSITIONS[current]:
        raise tk.ValidationError({"status": [tk._("A suggestion {current} cannot become {wanted}").format(
            current=status_label(current), wanted=status_label(wanted))]})
    if wanted == "refused" and not data.get("answer"):
        raise tk.ValidationError({"answer": [tk._("Say why the suggestion is refused")]})
    if wanted == "published" and not data.get("datasets"):
        raise tk.ValidationError({"datasets": [tk._("Name the datasets that answer the suggestion")]})
    if wanted == "forwarded" and not (data.get("owner_org") or found["owner_org"]):
        raise tk.ValidationError({"owner_org": [tk._("Name the organization to send it to")]})


def status_label(status: str) -> str:
    """The status's label in the interface language."""
    return vocabularies.label("suggestion_statuses", status, helpers.language()) or status


def current_user(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    return user


def maybe_user(context: Context) -> Optional[model.User]:
    """The caller's account, None for an anonymous caller."""
    return model.User.get(context.get("user") or "") if context.get("user") else None


def may_moderate(context: Context) -> bool:
    return authz.is_sysadmin(context.get("user"))


def _found(found: Optional[dict]) -> dict:
    if found is None:
        raise tk.ObjectNotFound(tk._("Suggestion not found"))
    return found


def visible(context: Context, suggestion_id: str) -> dict:
    """The suggestion, as the caller may see it: a hidden one does not exist for those who may not moderate."""
    user = maybe_user(context)
    found = _found(store.get(suggestion_id, user.id if user else None))
    if found["hidden_reason"] and not may_moderate(context):
        raise tk.ObjectNotFound(tk._("Suggestion not found"))
    return found


def author(user_id: str) -> dict[str, str]:
    user = model.User.get(user_id)
    return {"name": user.name, "display_name": user.display_name} if user else {"name": "", "display_name": ""}


def _dictize(row: dict, moderator: bool) -> dict[str, Any]:
    found = {key: row[key] for key in (
        "id", "title", "description", "category", "territories", "reason", "status", "datasets",
        "merged_into", "created", "last_activity", "vote_count", "comment_count")}
    found.update(author={"name": row["author_name"] or "", "display_name": row["author_display_name"] or ""},
                 organization={"id": row["owner_org"], "name": row["org_name"], "title": row["org_title"]}
                 if row["owner_org"] else None,
                 owner_org=row["owner_org"], hidden=bool(row["hidden_reason"]))
    if "voted" in row:
        found["voted"] = row["voted"]
    if moderator:
        found["hidden_reason"] = row["hidden_reason"]
    return found


_FACET_VOCABULARIES = {"status": "suggestion_statuses", "category": "categories"}


def _facets(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The facets' items named and labelled in the interface language, most suggestions first."""
    language = helpers.language()
    named: dict[str, list[dict]] = {}
    for facet, items in found.items():
        if facet == "organization":
            named[facet] = [{"name": item["name"], "display_name": item["title"] or item["name"],
                             "count": item["count"]} for item in items]
        else:
            named[facet] = [{"name": item["value"], "display_name": vocabularies.label(
                _FACET_VOCABULARIES[facet], item["value"], language) or item["value"], "count": item["count"]}
                for item in items]
        named[facet].sort(key=lambda item: (-item["count"], item["display_name"].casefold()))
    return named


def _history(suggestion_id: str) -> list[dict]:
    return [{"status": entry["status"], "answer": entry["answer"], "created": entry["created"],
             "by": author(entry["user_id"])["display_name"]} for entry in store.history(suggestion_id)]
