"""API actions of the citizens around a suggestion: votes, comments and the e-mail opt-out."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from . import actions, ratelimit, store, validation

__all__ = ["quebec_suggestion_vote", "quebec_suggestion_unvote", "quebec_comment_create",
           "quebec_comment_list", "quebec_comment_moderate", "quebec_participation_optout"]


def quebec_suggestion_vote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Vote for a suggestion: one vote per account; a second one is refused.

    :param id: the suggestion's id
    :type id: string

    :returns: ``vote_count`` and ``voted``
    :rtype: dictionary
    """
    return _vote(context, data_dict, voted=True)


def quebec_suggestion_unvote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw one's vote.

    :param id: the suggestion's id
    :type id: string

    :returns: ``vote_count`` and ``voted``
    :rtype: dictionary
    """
    return _vote(context, data_dict, voted=False)


def _vote(context: Context, data_dict: DataDict, voted: bool) -> dict[str, Any]:
    """Give (``voted``) or withdraw the caller's vote: the flow of both vote actions.

    A vote counts against the rate limit and needs a suggestion open to votes;
    a withdrawal needs only a visible one.
    """
    tk.check_access("quebec_suggestion_vote" if voted else "quebec_suggestion_unvote", context, data_dict)
    data = validation.validate(data_dict, validation.id_schema(), context)
    found = _open(context, data["id"]) if voted else actions.visible(context, data["id"])
    user = actions.current_user(context)
    if voted:
        ratelimit.check("vote", user.id)
        count = store.add_vote(found["id"], user.id)
    else:
        count = store.remove_vote(found["id"], user.id)
    if count is None:
        raise tk.ValidationError({"id": [tk._("You already voted for this suggestion") if voted
                                         else tk._("You have not voted for this suggestion")]})
    store.commit()
    return {"vote_count": count, "voted": voted}


def quebec_comment_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Comment on a suggestion, in plain text (shown as written, never as HTML).

    :param suggestion_id: the suggestion's id
    :type suggestion_id: string
    :param text: the comment, at most 2,000 characters
    :type text: string

    :rtype: dictionary
    """
    tk.check_access("quebec_comment_create", context, data_dict)
    data = validation.validate(data_dict, validation.comment_create_schema(), context)
    found = _open(context, data["suggestion_id"])
    user = actions.current_user(context)
    ratelimit.check("comment", user.id)
    comment_id = store.insert_comment(found["id"], user.id, data["text"])
    store.commit()
    return _comment_dict(store.comment(comment_id), moderator=False)


@tk.side_effect_free
def quebec_comment_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """A suggestion's comments, oldest first; hidden ones only for sysadmins who ask.

    :param suggestion_id: the suggestion's id
    :type suggestion_id: string
    :param include_hidden: sysadmins: hidden comments too, with the reason (default false)
    :type include_hidden: bool

    :rtype: list of dictionaries
    """
    tk.check_access("quebec_comment_list", context, data_dict)
    data = validation.validate(data_dict, validation.comment_list_schema(), context)
    found = actions.visible(context, data["suggestion_id"])
    moderator = actions.may_moderate(context)
    if data.get("include_hidden") and not moderator:
        raise tk.NotAuthorized(tk._("Only a sysadmin may moderate"))
    return [_comment_dict(row, moderator)
            for row in store.comments(found["id"], bool(data.get("include_hidden")))]


def quebec_comment_moderate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Hide an abusive comment (with the reason) or show it again.

    :param id: the comment's id
    :type id: string
    :param hidden: true to hide, false to show again
    :type hidden: bool
    :param reason: why it is hidden; required to hide
    :type reason: string

    :rtype: dictionary
    """
    return _comment_dict(store.comment(actions.moderate(context, data_dict, "comment")), moderator=True)


def quebec_participation_optout(context: Context, data_dict: DataDict) -> dict[str, bool]:
    """Stop (or start again) the e-mails telling the caller that suggestions changed status.

    :param opted_out: true to receive none, false to receive them again
    :type opted_out: bool

    :rtype: dictionary
    """
    tk.check_access("quebec_participation_optout", context, data_dict)
    data = validation.validate(data_dict, validation.optout_schema(), context)
    store.set_optout(actions.current_user(context).id, data["opted_out"])
    store.commit()
    return {"opted_out": data["opted_out"]}


def _open(context: Context, suggestion_id: str) -> dict:
    """The suggestion, if it takes votes and comments: not merged (its votes went elsewhere)."""
    found = actions.visible(context, suggestion_id)
    if found["merged_into"]:
        raise tk.ValidationError({"id": [tk._("This suggestion was merged into another one")]})
    return found


def _comment_dict(row: dict, moderator: bool) -> dict[str, Any]:
    found = {key: row[key] for key in ("id", "suggestion_id", "text", "created")}
    found["author"] = {"name": row["author_name"] or "", "display_name": row["author_display_name"] or ""}
    found["hidden"] = bool(row["hidden_reason"])
    if moderator:
        found["hidden_reason"] = row["hidden_reason"]
    return found
