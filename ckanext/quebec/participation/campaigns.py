"""API actions of the prioritization campaigns: a sysadmin opens one on a theme; citizens vote among its candidates.

A campaign has a bilingual title (its theme) and text, an optional
category, open and close instants and a number of votes per person; its
candidates are suggestions and entries a sysadmin writes into it (a
bilingual title and text, ``quebec_campaign_entry_create``). Votes count
within the campaign only (not on the suggestions), are secret per person
(each sees their own) and public as counts.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from . import actions, ratelimit, store, validation

__all__ = ["quebec_campaign_create", "quebec_campaign_show", "quebec_campaign_list",
           "quebec_campaign_entry_create", "quebec_campaign_close", "quebec_campaign_vote",
           "quebec_campaign_unvote"]


def quebec_campaign_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Open a prioritization campaign.

    :param title: the campaign's theme by language, e.g. ``{"fr": "Transport", "en": "Transport"}``
    :type title: dict
    :param description: what is asked, by language (Markdown)
    :type description: dict
    :param category: a category the theme matches (optional)
    :type category: string
    :param opens: when voting opens, ISO 8601 (UTC when no offset is given)
    :type opens: string
    :param closes: when voting closes, after ``opens``
    :type closes: string
    :param max_votes: votes per person, 1 to 50
    :type max_votes: int
    :param candidates: ids of the suggestions to vote among (visible, not merged)
    :type candidates: list of strings

    :rtype: dictionary
    """
    tk.check_access("quebec_campaign_create", context, data_dict)
    data = validation.validate(data_dict, validation.campaign_create_schema(), context)
    if data["opens"] >= data["closes"]:
        raise tk.ValidationError({"closes": [tk._("The campaign must close after it opens")]})
    if not data["candidates"]:
        raise tk.ValidationError({"candidates": [tk._("Name at least one suggestion")]})
    for suggestion_id in data["candidates"]:
        found = store.get(suggestion_id)
        if found is None or found["hidden_reason"] or found["merged_into"]:
            raise tk.ValidationError({"candidates": [tk._("Suggestion not found: {value}").format(
                value=suggestion_id[:validation.ID_MAX])]})
    campaign_id = store.insert_campaign(data, actions.current_user(context).id)
    store.commit()
    return quebec_campaign_show(context, {"id": campaign_id})


@tk.side_effect_free
def quebec_campaign_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A campaign with its results: the candidates and their vote counts, most first.

    Each candidate has its ``kind`` (``suggestion`` or ``entry``), ``title``
    and ``votes``; a suggestion its ``status``, ``organization`` (title) and
    the organization's newest ``answer`` by language; an entry its
    ``description``. ``my_votes`` lists the candidates the caller voted for (nobody else's
    votes are told) and ``votes_left`` how many the caller may still give.

    :param id: the campaign's id
    :type id: string

    :rtype: dictionary
    """
    campaign, _data = _checked("quebec_campaign_show", context, data_dict, validation.id_schema())
    user = actions.maybe_user(context)
    mine = store.campaign_votes_of(campaign["id"], user.id) if user else []
    results = [dict(row, organization=row.pop("org_title")) for row in store.campaign_results(campaign["id"])]
    return dict(campaign, results=results, total_votes=sum(row["votes"] for row in results),
                my_votes=mine, votes_left=max(0, campaign["max_votes"] - len(mine)) if user else 0)


@tk.side_effect_free
def quebec_campaign_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The campaigns, the latest to open first.

    Takes no parameter.

    :rtype: list of dictionaries
    """
    tk.check_access("quebec_campaign_list", context, data_dict)
    validation.validate(data_dict, {}, context)
    return store.campaigns()


def quebec_campaign_entry_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Write a candidate that is not a suggestion into a campaign that has not closed.

    :param id: the campaign's id
    :type id: string
    :param title: the candidate by language, e.g. ``{"fr": "Comptages de vélos", "en": "Bike counts"}``
    :type title: dict
    :param description: what the data would hold, by language (Markdown)
    :type description: dict

    :returns: the campaign, as ``quebec_campaign_show`` gives it
    :rtype: dictionary
    """
    campaign, data = _checked("quebec_campaign_entry_create", context, data_dict,
                              validation.campaign_entry_schema())
    if campaign["has_closed"]:
        raise tk.ValidationError({"id": [tk._("A closed campaign takes no new candidate")]})
    store.insert_entry(campaign["id"], data, actions.current_user(context).id)
    store.commit()
    return quebec_campaign_show(context, {"id": campaign["id"]})


def quebec_campaign_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close an open campaign now, before its close date: no more votes, the results stay.

    :param id: the campaign's id
    :type id: string

    :returns: the campaign, as ``quebec_campaign_show`` gives it
    :rtype: dictionary
    """
    campaign, _data = _checked("quebec_campaign_close", context, data_dict, validation.id_schema())
    if not campaign["is_open"]:
        raise tk.ValidationError({"id": [tk._("The campaign is not open for votes")]})
    store.close_campaign(campaign["id"])
    store.commit()
    return quebec_campaign_show(context, {"id": campaign["id"]})


def quebec_campaign_vote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Vote for a candidate of an open campaign, within its number of votes per person.

    :param id: the campaign's id
    :type id: string
    :param suggestion_id: the candidate's id, when it is a suggestion
    :type suggestion_id: string
    :param entry_id: the candidate's id, when it is an entry (give one of the two)
    :type entry_id: string

    :returns: the campaign, as ``quebec_campaign_show`` gives it
    :rtype: dictionary
    """
    tk.check_access("quebec_campaign_vote", context, data_dict)
    campaign, (field, kind, candidate_id), user = _vote_target(context, data_dict)
    ratelimit.check("vote", user.id)
    store.lock_campaign_voter(campaign["id"], user.id)
    if candidate_id in store.campaign_votes_of(campaign["id"], user.id):
        raise tk.ValidationError({field: [tk._("You already voted for this candidate")]})
    if len(store.campaign_votes_of(campaign["id"], user.id)) >= campaign["max_votes"]:
        raise tk.ValidationError({"id": [tk._(
            "You have given your {count} votes in this campaign; withdraw one to vote for another").format(
            count=campaign["max_votes"])]})
    store.add_campaign_vote(campaign["id"], kind, candidate_id, user.id)
    store.commit()
    return quebec_campaign_show(context, {"id": campaign["id"]})


def quebec_campaign_unvote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a vote from an open campaign.

    :param id: the campaign's id
    :type id: string
    :param suggestion_id: the candidate's id, when it is a suggestion
    :type suggestion_id: string
    :param entry_id: the candidate's id, when it is an entry (give one of the two)
    :type entry_id: string

    :rtype: dictionary
    """
    tk.check_access("quebec_campaign_unvote", context, data_dict)
    campaign, (field, kind, candidate_id), user = _vote_target(context, data_dict)
    if not store.remove_campaign_vote(campaign["id"], kind, candidate_id, user.id):
        raise tk.ValidationError({field: [tk._("You have not voted for this candidate")]})
    store.commit()
    return quebec_campaign_show(context, {"id": campaign["id"]})


def _checked(action: str, context: Context, data_dict: DataDict, schema) -> tuple[dict, dict]:
    """The campaign ``action`` names and its validated data, after the action's auth function; 404 if none."""
    tk.check_access(action, context, data_dict)
    data = validation.validate(data_dict, schema, context)
    return _campaign(data["id"]), data


def _campaign(campaign_id: str) -> dict:
    found = store.campaign(campaign_id)
    if found is None:
        raise tk.ObjectNotFound(tk._("Campaign not found"))
    return found


def _vote_target(context: Context, data_dict: DataDict) -> tuple[dict, tuple[str, str, str], Any]:
    """The open campaign, the candidate (the parameter naming it, its kind, its id) and the voter;
    errors for a closed campaign, no candidate or both, or one that is not the campaign's."""
    data = validation.validate(data_dict, validation.campaign_vote_schema(), context)
    given = [field for field in ("suggestion_id", "entry_id") if data.get(field)]
    if len(given) != 1:
        raise tk.ValidationError({"suggestion_id": [tk._("Name one candidate: a suggestion or an entry")]})
    field = given[0]
    campaign = _campaign(data["id"])
    if not campaign["is_open"]:
        raise tk.ValidationError({"id": [tk._("The campaign is not open for votes")]})
    kind = store.candidate_kind(campaign["id"], data[field])
    if kind != field.removesuffix("_id"):
        raise tk.ValidationError({field: [tk._("This is not a candidate of the campaign")]})
    return campaign, (field, kind, data[field]), actions.current_user(context)
