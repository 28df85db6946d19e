"""The segment shortcut: conditions on signature fields answered by the segments.

A segment (``quebec_search_segment``) holds the documents that share one
signature (permission labels, site, state, ... migration 0008). A condition
that reads the signature only holds for all the documents of a segment or
for none: the few segments are tested once, here, and the documents are
then picked by their signature (or its integer key) instead of testing
each one. The facade, the single-pass read and the zero counts of facets
all go through :func:`matching`.
"""
from __future__ import annotations

from typing import Any, Iterable, NamedTuple

import sqlalchemy as sa

from .plan import QueryPlan

_KEYED = "d.signature_key = ANY(CAST(:_signature_keys AS bigint[]))"
# A segment's key, as the documents' generated signature_key column computes it (migrations 0008, 0012).
_SEGMENT_KEY = "hashtextextended(d.signature::text, 0)"


class Segments(NamedTuple):
    ids: list[int]  # the segments the plan's signature conditions keep
    signatures: list[str]  # their signatures, as jsonb text
    # their signatures' keys; None when segments the conditions tell apart share a key
    keys: list[int] | None


def _kept(plan: QueryPlan) -> str:
    """Whether ``plan``'s signature conditions keep the segment ``d`` (SQL)."""
    return f"coalesce({' AND '.join(plan.signature_conditions()) or 'TRUE'}, false)"


def kept_keys_sql(plan: QueryPlan) -> str:
    """SQL (a scalar sub-select, bigint[]) of the keys of the segments ``plan``'s
    signature conditions keep, as :func:`segment_keys` gives them: NULL when
    segments the conditions tell apart share a key. The segments are read as
    ``d``, as :func:`matching` reads them."""
    return ("(SELECT CASE WHEN bool_and(all_kept = some_kept)"
            " THEN coalesce(array_agg(key) FILTER (WHERE some_kept), '{}') END"
            " FROM (SELECT s.key, bool_and(s.kept) AS all_kept, bool_or(s.kept) AS some_kept"
            f" FROM (SELECT {_SEGMENT_KEY} AS key, {_kept(plan)} AS kept"
            " FROM quebec_search_segment d) AS s GROUP BY 1) AS k)")


def matching(connection: sa.engine.Connection, plan: QueryPlan) -> Segments:
    """The segments the signature conditions of ``plan`` keep (all of them without any)."""
    rows = connection.execute(sa.text(
        f"SELECT d.id, d.signature::text, {_SEGMENT_KEY},"
        f" {_kept(plan)} FROM quebec_search_segment d"), dict(plan.params)).all()
    by_key: dict[int, tuple[bool, bool]] = {}
    for _, _, key, kept in rows:
        all_kept, some_kept = by_key.get(key, (True, False))
        by_key[key] = (all_kept and kept, some_kept or kept)
    kept_rows = [row for row in rows if row[3]]
    return Segments([row[0] for row in kept_rows], [row[1] for row in kept_rows],
                    segment_keys((key, *kept) for key, kept in by_key.items()))


def segment_keys(segments: Iterable[tuple[int, bool, bool]]) -> list[int] | None:
    """The keys of the segments that filters keep, from (key, all kept, some kept) per key.

    None when some key is shared by segments the filters tell apart: the
    key alone would then let through documents the filters exclude.
    """
    keys = []
    for key, all_kept, some_kept in segments:
        if all_kept != some_kept:
            return None
        if all_kept:
            keys.append(key)
    return keys


def by_signature(segments: Segments) -> tuple[str, dict[str, Any]]:
    """(condition, parameters) picking the documents of ``segments``: for a
    plan whose conditions all read the signature only.

    By their signature's key when the keys tell the segments apart: the
    default sort's index holds the key (migration 0015), so a page is then
    read from that index alone, however many rows come before it.
    """
    if segments.keys is not None:
        return _KEYED, {"_signature_keys": segments.keys}
    return ("d.signature = ANY(CAST(:_signatures AS jsonb[]))",
            {"_signatures": segments.signatures})


def keyed_where(connection: sa.engine.Connection,
                plan: QueryPlan) -> tuple[str, dict[str, Any]]:
    """(condition, parameters): the plan's conditions, those on signature
    fields answered by the segments.

    The documents are picked by the key of their signature, an integer
    comparison per match instead of jsonb containments. Should two segments
    that the conditions tell apart share a key, the conditions are kept as
    they are.
    """
    if not plan.signature_conditions():
        return plan.where, {}
    keys = matching(connection, plan).keys
    if keys is None:
        return plan.where, {}
    return " AND ".join(plan.other_conditions() + [_KEYED]), {"_signature_keys": keys}


def keyed_in_statement(plan: QueryPlan) -> str:
    """The plan's conditions, those on signature fields answered by the
    segments within the statement that reads the matches (its snapshot, no
    round trip): for plans that also search words or other fields.

    A sub-select tests the segments once and gives their keys; each match
    is then picked by an integer comparison instead of the conditions'
    jsonb containments (about 0.5 ms of the 5 the English text query of
    bench/search.py took at 10,000 datasets). Should two segments the
    conditions tell apart share a key, the sub-select gives NULL and each
    document is tested by the conditions, as without the segments.
    """
    signature, others = plan.signature_conditions(), plan.other_conditions()
    if not signature or not others:
        return plan.where
    test = " AND ".join(signature)
    return " AND ".join(others + [
        f"coalesce(d.signature_key = ANY(CAST({kept_keys_sql(plan)} AS bigint[])), {test})"])
