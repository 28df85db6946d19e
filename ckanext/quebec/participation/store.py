"""The participation tables: suggestions, their history, votes and comments (bound parameters only).

Writers do not commit: an action commits once everything it writes is
written, so a failure leaves nothing half-written.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model

# kept on the row by the vote writers below, in the vote's transaction (migration 0002)
_VOTES = "s.vote_count"
_COMMENTS = ("(SELECT count(*) FROM quebec_participation_comment c "
             "WHERE c.suggestion_id = s.id AND c.hidden_reason IS NULL)")
_COLUMNS = (f"s.id, s.title, s.description, s.category, s.territories, s.reason, s.owner_org, "
            f"s.user_id, s.status, s.datasets, s.hidden_reason, s.merged_into, s.created, "
            f"s.last_activity, {_VOTES} AS vote_count, {_COMMENTS} AS comment_count, "
            f"u.name AS author_name, COALESCE(NULLIF(u.fullname, ''), u.name) AS author_display_name, "
            f"g.name AS org_name, g.title AS org_title")
# the submitter's name and the organization's, in the same query as the suggestions
_FROM = ('quebec_participation_suggestion s LEFT JOIN "user" u ON u.id = s.user_id '
         'LEFT JOIN "group" g ON g.id = s.owner_org')
_COMMENT_COLUMNS = ("c.id, c.suggestion_id, c.user_id, c.text, c.hidden_reason, c.created, "
                    "u.name AS author_name, COALESCE(NULLIF(u.fullname, ''), u.name) AS author_display_name")
_COMMENT_FROM = 'quebec_participation_comment c LEFT JOIN "user" u ON u.id = c.user_id'
_ORDER = {
    "votes": "s.vote_count DESC, s.last_activity DESC, s.id",
    "activity": "s.last_activity DESC, s.id",
    "created": "s.created DESC, s.id",
}


def _execute(statement: str, **params: Any):
    return model.Session.execute(sa.text(statement), params)


def new_id() -> str:
    return str(uuid.uuid4())


def _row(row) -> dict[str, Any]:
    found = dict(row)
    for key in ("created", "last_activity"):
        if found.get(key) is not None:
            found[key] = found[key].isoformat()
    found["territories"] = list(found.get("territories") or [])
    found["datasets"] = list(found.get("datasets") or [])
    return found


def insert_suggestion(data: dict, user_id: str) -> str:
    suggestion_id = new_id()
    _execute("INSERT INTO quebec_participation_suggestion "
             "(id, title, description, category, territories, reason, owner_org, user_id) "
             "VALUES (:id, CAST(:title AS jsonb), CAST(:description AS jsonb), :category, "
             ":territories, :reason, :owner_org, :user_id)",
             id=suggestion_id, title=json.dumps(data["title"]), description=json.dumps(data["description"]),
             category=data["category"], territories=data.get("territories") or [],
             reason=data["reason"], owner_org=data.get("owner_org"), user_id=user_id)
    add_status(suggestion_id, "proposed", None, user_id)
    return suggestion_id


def get(suggestion_id: str, viewer_id: Optional[str] = None) -> Optional[dict]:
    row = _execute(f"SELECT {_COLUMNS}, "
                   "EXISTS (SELECT 1 FROM quebec_participation_vote w WHERE w.suggestion_id = s.id "
                   "AND w.user_id = :viewer) AS voted "
                   f"FROM {_FROM} WHERE s.id = :id",
                   id=suggestion_id, viewer=viewer_id or "").mappings().first()
    return _row(row) if row else None


def lock(suggestion_id: str) -> None:
    """Hold the suggestion's row until the commit: two status changes or merges take turns."""
    _execute("SELECT 1 FROM quebec_participation_suggestion WHERE id = :id FOR UPDATE", id=suggestion_id)


# The list's facets, each a grouping set of one query: status, category, organization (with its name and title).
FACETS = ("status", "category", "organization")
_FACET_SETS = "GROUPING SETS ((s.status), (s.category), (s.owner_org, g.name, g.title))"
# GROUPING(s.status, s.category) tells which set a row counts: status 1 (0b01), category 2, organization 3.
_FACET_OF_SET = {1: "status", 2: "category", 3: "organization"}
MAX_WORDS = 10


def _conditions(filters: dict, include_hidden: bool) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of the suggestions matching ``filters`` and its parameters; merged ones never."""
    where = ["s.merged_into IS NULL"]
    params: dict[str, Any] = {}
    if not include_hidden:
        where.append("s.hidden_reason IS NULL")
    for key, column in (("status", "status"), ("category", "category"), ("organization", "owner_org")):
        if filters.get(key):
            where.append(f"s.{column} = :{key}")
            params[key] = filters[key]
    if filters.get("territory"):
        where.append(":territory = ANY (s.territories)")
        params["territory"] = filters["territory"]
    # every word, anywhere in the title or the description, in any language (the texts joined once a row),
    # accents folded on both sides by PostgreSQL's unaccent, as quebec_search folds them (migration 0004)
    words = (filters.get("q") or "").split()[:MAX_WORDS]
    if words:
        where.append("unaccent(s.title::text || ' ' || s.description::text) "
                     "ILIKE ALL (SELECT unaccent(word) FROM unnest(CAST(:words AS text[])) AS word)")
        params["words"] = ["%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                           for word in words]
    return " AND ".join(where), params


def search(filters: dict, sort: str, limit: int, offset: int,
           include_hidden: bool) -> tuple[int, dict[str, list[dict]], list[dict]]:
    """The count, the facets (value, name, title and count of each, under the same filters) and one page of
    the suggestions matching ``filters``; merged ones never, hidden ones on demand. Two statements."""
    condition, params = _conditions(filters, include_hidden)
    facets: dict[str, list[dict]] = {name: [] for name in FACETS}
    for row in _execute(
            "SELECT GROUPING(s.status, s.category) AS facet_set, s.status, s.category, s.owner_org, "
            "g.name AS org_name, g.title AS org_title, count(*) AS count FROM quebec_participation_suggestion s "
            f'LEFT JOIN "group" g ON g.id = s.owner_org WHERE {condition} '
            f"GROUP BY {_FACET_SETS}", **params).mappings():
        facet = _FACET_OF_SET[row["facet_set"]]
        value = {"status": row["status"], "category": row["category"], "organization": row["owner_org"]}[facet]
        if value is not None:
            facets[facet].append({"value": value, "name": row["org_name"], "title": row["org_title"],
                                  "count": row["count"]})
    count = sum(item["count"] for item in facets["status"])  # every suggestion has one status
    rows = _execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE {condition} "
                    f"ORDER BY {_ORDER[sort]} LIMIT :limit OFFSET :offset",
                    limit=limit, offset=offset, **params).mappings()
    return count, facets, [_row(row) for row in rows]


def answered_by(dataset_id: str) -> list[dict]:
    """The visible suggestions a dataset answers (published with it)."""
    rows = _execute("SELECT id, title FROM quebec_participation_suggestion WHERE :dataset = ANY (datasets) "
                    "AND hidden_reason IS NULL AND merged_into IS NULL ORDER BY created, id",
                    dataset=dataset_id).mappings()
    return [dict(row) for row in rows]


def add_status(suggestion_id: str, status: str, answer: Optional[dict], user_id: str) -> None:
    _execute("INSERT INTO quebec_participation_status (suggestion_id, status, answer, user_id) "
             "VALUES (:id, :status, CAST(:answer AS jsonb), :user_id)",
             id=suggestion_id, status=status, answer=json.dumps(answer) if answer else None,
             user_id=user_id)


def set_status(suggestion_id: str, status: str, datasets: Optional[list[str]],
               owner_org: Optional[str]) -> None:
    _execute("UPDATE quebec_participation_suggestion SET status = :status, last_activity = now(), "
             "datasets = COALESCE(:datasets, datasets), owner_org = COALESCE(:owner_org, owner_org) "
             "WHERE id = :id", id=suggestion_id, status=status, datasets=datasets, owner_org=owner_org)


def history(suggestion_id: str) -> list[dict]:
    rows = _execute("SELECT status, answer, user_id, created FROM quebec_participation_status "
                    "WHERE suggestion_id = :id ORDER BY created, id", id=suggestion_id).mappings()
    return [dict(row, created=row["created"].isoformat()) for row in rows]


def set_hidden(table: str, row_id: str, reason: Optional[str]) -> None:
    assert table in ("suggestion", "comment")
    _execute(f"UPDATE quebec_participation_{table} SET hidden_reason = :reason WHERE id = :id",
             id=row_id, reason=reason)


def touch(suggestion_id: str) -> None:
    _execute("UPDATE quebec_participation_suggestion SET last_activity = now() WHERE id = :id",
             id=suggestion_id)


def merge(duplicate_id: str, into_id: str) -> None:
    """Move the duplicate's votes to the suggestion it repeats (one per account) and mark it merged."""
    _execute("INSERT INTO quebec_participation_vote (suggestion_id, user_id, created) "
             "SELECT :into, user_id, created FROM quebec_participation_vote WHERE suggestion_id = :dup "
             "ON CONFLICT DO NOTHING", into=into_id, dup=duplicate_id)
    _execute("DELETE FROM quebec_participation_vote WHERE suggestion_id = :dup", dup=duplicate_id)
    _execute("UPDATE quebec_participation_suggestion SET merged_into = :into WHERE id = :dup",
             into=into_id, dup=duplicate_id)
    _recount(duplicate_id)
    _recount(into_id)
    touch(into_id)


def add_vote(suggestion_id: str, user_id: str) -> Optional[int]:
    """The suggestion's new vote count (its activity now), or None when the account had already voted."""
    added = _execute("INSERT INTO quebec_participation_vote (suggestion_id, user_id) VALUES (:id, :user) "
                     "ON CONFLICT DO NOTHING RETURNING 1", id=suggestion_id, user=user_id).first()
    return _add_to_count(suggestion_id, 1, ", last_activity = now()") if added is not None else None


def remove_vote(suggestion_id: str, user_id: str) -> Optional[int]:
    """The suggestion's new vote count, or None when the account had not voted."""
    removed = _execute("DELETE FROM quebec_participation_vote WHERE suggestion_id = :id AND user_id = :user "
                       "RETURNING 1", id=suggestion_id, user=user_id).first()
    return _add_to_count(suggestion_id, -1) if removed is not None else None


def _add_to_count(suggestion_id: str, change: int, also: str = "") -> int:
    # An increment, not a recount: the row lock orders concurrent votes and each adds its own
    # (a recount's subquery would see the database as its statement started, without the other vote).
    return _execute(f"UPDATE quebec_participation_suggestion SET vote_count = vote_count + :change{also} "
                    "WHERE id = :id RETURNING vote_count", id=suggestion_id, change=change).scalar()


def _recount(suggestion_id: str) -> None:
    """The row's vote count from the votes; its row is locked (merge), so no vote is being added."""
    _execute("UPDATE quebec_participation_suggestion SET vote_count = (SELECT count(*) FROM "
             "quebec_participation_vote WHERE suggestion_id = :id) WHERE id = :id", id=suggestion_id)


def voters(suggestion_id: str) -> list[str]:
    return list(_execute("SELECT user_id FROM quebec_participation_vote WHERE suggestion_id = :id",
                         id=suggestion_id).scalars())


def insert_comment(suggestion_id: str, user_id: str, text: str) -> str:
    comment_id = new_id()
    _execute("INSERT INTO quebec_participation_comment (id, suggestion_id, user_id, text) "
             "VALUES (:id, :suggestion, :user, :text)",
             id=comment_id, suggestion=suggestion_id, user=user_id, text=text)
    touch(suggestion_id)
    return comment_id


def comment(comment_id: str) -> Optional[dict]:
    row = _execute(f"SELECT {_COMMENT_COLUMNS} "
                   f"FROM {_COMMENT_FROM} WHERE c.id = :id", id=comment_id).mappings().first()
    return dict(row, created=row["created"].isoformat()) if row else None


def comments(suggestion_id: str, include_hidden: bool) -> list[dict]:
    hidden = "" if include_hidden else " AND c.hidden_reason IS NULL"
    rows = _execute(f"SELECT {_COMMENT_COLUMNS} "
                    f"FROM {_COMMENT_FROM} WHERE c.suggestion_id = :id{hidden} "
                    "ORDER BY c.created, c.id", id=suggestion_id).mappings()
    return [dict(row, created=row["created"].isoformat()) for row in rows]


def set_optout(user_id: str, opted_out: bool) -> None:
    if opted_out:
        _execute("INSERT INTO quebec_participation_optout (user_id) VALUES (:user) ON CONFLICT DO NOTHING",
                 user=user_id)
    else:
        _execute("DELETE FROM quebec_participation_optout WHERE user_id = :user", user=user_id)


def opted_out(user_ids: list[str]) -> set[str]:
    return set(_execute("SELECT user_id FROM quebec_participation_optout WHERE user_id = ANY (:users)",
                        users=list(user_ids)).scalars())


def commit() -> None:
    model.Session.commit()


# Campaigns

def insert_campaign(data: dict, user_id: str) -> str:
    campaign_id = new_id()
    _execute("INSERT INTO quebec_participation_campaign "
             "(id, title, description, category, opens, closes, max_votes, user_id) "
             "VALUES (:id, CAST(:title AS jsonb), CAST(:description AS jsonb), :category, :opens, :closes, "
             ":max_votes, :user_id)",
             id=campaign_id, title=json.dumps(data["title"]), description=json.dumps(data["description"]),
             category=data.get("category"), opens=data["opens"], closes=data["closes"],
             max_votes=data["max_votes"], user_id=user_id)
    for suggestion_id in data["candidates"]:
        _execute("INSERT INTO quebec_participation_campaign_candidate (campaign_id, suggestion_id) "
                 "VALUES (:campaign, :suggestion)", campaign=campaign_id, suggestion=suggestion_id)
    return campaign_id


_CAMPAIGN_COLUMNS = ("c.id, c.title, c.description, c.category, c.opens, c.closes, c.max_votes, c.created, "
                     "(now() >= c.opens AND now() < c.closes) AS is_open, now() >= c.closes AS has_closed")


def _campaign_row(row) -> dict[str, Any]:
    return dict(row, **{key: row[key].isoformat() for key in ("opens", "closes", "created")})


def campaign(campaign_id: str) -> Optional[dict]:
    row = _execute(f"SELECT {_CAMPAIGN_COLUMNS} FROM quebec_participation_campaign c WHERE c.id = :id",
                   id=campaign_id).mappings().first()
    return _campaign_row(row) if row else None


def campaigns() -> list[dict]:
    rows = _execute(f"SELECT {_CAMPAIGN_COLUMNS} FROM quebec_participation_campaign c "
                    "ORDER BY c.opens DESC, c.id").mappings()
    return [_campaign_row(row) for row in rows]


def close_campaign(campaign_id: str) -> None:
    _execute("UPDATE quebec_participation_campaign SET closes = now() WHERE id = :id", id=campaign_id)


def insert_entry(campaign_id: str, data: dict, user_id: str) -> str:
    """A candidate written into the campaign by a sysadmin: a title and a text by language."""
    entry_id = new_id()
    _execute("INSERT INTO quebec_participation_campaign_entry (id, campaign_id, title, description, user_id) "
             "VALUES (:id, :campaign, CAST(:title AS jsonb), CAST(:description AS jsonb), :user_id)",
             id=entry_id, campaign=campaign_id, title=json.dumps(data["title"]),
             description=json.dumps(data["description"]), user_id=user_id)
    return entry_id


# A campaign vote names a suggestion or an entry: the column of each kind of candidate.
CANDIDATE_COLUMNS = {"suggestion": "suggestion_id", "entry": "entry_id"}
# The organization's newest answer to a suggestion (its status history), shown with the results.
_ANSWER = ("(SELECT st.answer FROM quebec_participation_status st WHERE st.suggestion_id = s.id "
           "AND st.answer IS NOT NULL ORDER BY st.created DESC, st.id DESC LIMIT 1)")


def campaign_results(campaign_id: str) -> list[dict]:
    """The candidates (suggestions, hidden ones left out, and entries) with their votes in the campaign, most first."""
    rows = _execute(
        "SELECT * FROM ("
        "SELECT 'suggestion' AS kind, s.id, s.title, NULL::jsonb AS description, s.status, "
        f"g.title AS org_title, {_ANSWER} AS answer, s.created, "
        "(SELECT count(*) FROM quebec_participation_campaign_vote v "
        " WHERE v.campaign_id = k.campaign_id AND v.suggestion_id = s.id) AS votes "
        "FROM quebec_participation_campaign_candidate k "
        "JOIN quebec_participation_suggestion s ON s.id = k.suggestion_id "
        'LEFT JOIN "group" g ON g.id = s.owner_org '
        "WHERE k.campaign_id = :id AND s.hidden_reason IS NULL "
        "UNION ALL "
        "SELECT 'entry', e.id, e.title, e.description, NULL, NULL, NULL, e.created, "
        "(SELECT count(*) FROM quebec_participation_campaign_vote v "
        " WHERE v.campaign_id = e.campaign_id AND v.entry_id = e.id) "
        "FROM quebec_participation_campaign_entry e WHERE e.campaign_id = :id"
        ") candidates ORDER BY votes DESC, created, id", id=campaign_id).mappings()
    return [{key: value for key, value in row.items() if key != "created"} for row in rows]


def candidate_kind(campaign_id: str, candidate_id: str) -> Optional[str]:
    """``suggestion`` or ``entry`` when ``candidate_id`` is a candidate of the campaign (a visible suggestion or
    an entry), else None."""
    return _execute("SELECT 'suggestion' FROM quebec_participation_campaign_candidate k "
                    "JOIN quebec_participation_suggestion s ON s.id = k.suggestion_id "
                    "WHERE k.campaign_id = :campaign AND k.suggestion_id = :candidate AND s.hidden_reason IS NULL "
                    "UNION ALL SELECT 'entry' FROM quebec_participation_campaign_entry "
                    "WHERE campaign_id = :campaign AND id = :candidate",
                    campaign=campaign_id, candidate=candidate_id).scalar()


def campaign_votes_of(campaign_id: str, user_id: str) -> list[str]:
    """The candidates ``user_id`` voted for: told to that person only (votes are secret)."""
    return list(_execute("SELECT COALESCE(suggestion_id, entry_id) FROM quebec_participation_campaign_vote "
                         "WHERE campaign_id = :campaign AND user_id = :user ORDER BY created",
                         campaign=campaign_id, user=user_id).scalars())


def lock_campaign_voter(campaign_id: str, user_id: str) -> None:
    """One vote at a time per person and campaign, until the commit: the limit holds under concurrent votes."""
    _execute("SELECT pg_advisory_xact_lock(hashtext(:key))", key=f"quebec_participation:{campaign_id}:{user_id}")


def add_campaign_vote(campaign_id: str, kind: str, candidate_id: str, user_id: str) -> bool:
    added = _execute(f"INSERT INTO quebec_participation_campaign_vote (campaign_id, {CANDIDATE_COLUMNS[kind]}, "
                     "user_id) VALUES (:campaign, :candidate, :user) ON CONFLICT DO NOTHING RETURNING 1",
                     campaign=campaign_id, candidate=candidate_id, user=user_id).first()
    return added is not None


def remove_campaign_vote(campaign_id: str, kind: str, candidate_id: str, user_id: str) -> bool:
    removed = _execute("DELETE FROM quebec_participation_campaign_vote WHERE campaign_id = :campaign "
                       f"AND {CANDIDATE_COLUMNS[kind]} = :candidate AND user_id = :user RETURNING 1",
                       campaign=campaign_id, candidate=candidate_id, user=user_id).first()
    return removed is not None
