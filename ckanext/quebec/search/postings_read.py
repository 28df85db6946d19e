"""A search of plain words read from the posting lists (migration 0017, postings_build.py).

Only for the plans it answers exactly as the statement (:func:`eligible`):
plain words of q under dismax, ranked by score first, filters on signature
fields only that segments with keys answer, every facet field counted, a
page within :data:`MAX_PAGE_END`. Any other plan, or a build missing or
changed under the read, is left to the statement (the caller's fallback).

Two halves, merged as the partitions' reads are (single_pass.merged):

- the *changes*: the single-pass statement restricted to the documents
  written since the build, which in the same statement (one snapshot)
  names them all, the current build, the segments' keys the filters keep
  and the words' tsqueries;
- the *build*: the words' lists of that build, without those documents.
  mm, visibility (signature keys) and facet numbers are applied in numpy.
  A match's score has an upper bound read from the lists (ts_rank of
  each word alone, added up as ts_rank adds them, the phrase part at most
  1): only the matches whose bound reaches the page's end-th score are
  scored (in rounds, highest bounds first), by the statement's
  own rank expression on those rows, so scores and sort keys are
  PostgreSQL's. Words in most documents (more than MAX_SCORED such
  matches) are left to the statement.

A document written while a search reads is seen by the changes' statement
in its snapshot; the few rows scored afterwards are read in theirs, as the
partitions' reads each have their own (parallel.py).
"""
from __future__ import annotations

import io
import re
import struct
import threading
from typing import Any, Optional

import numpy as np
import sqlalchemy as sa

from ckanext.quebec import config as suite_config

from . import fields as solr_fields
from . import merge, parallel, postings_build, postings_query, segments
from .documents import STORED_ONCE, Page, field_list, page_documents, stored_columns
from .facets import FacetRequest
from .lucene import min_should_match
from .plan import (_EXACT_NAME_BOOST, _LANGUAGE_BOOST, _OCCURRENCES_BOOST, _PHRASE_BOOST,
                   QueryPlan, interface_language, phrase_ranked, slug)
from .single_pass import merged, read_statement

# start + rows beyond this: the statement (the bound would let most matches through).
MAX_PAGE_END = 1000
# A word as the lists answer it: letters and digits, apostrophes or dashes within.
_PLAIN_WORD_RE = re.compile(r"^[^\W_]+(?:['’\-][^\W_]+)*$")
_OPERATORS = {"AND", "OR", "NOT"}
# The bound is a sum of float4 ranks read in float8: this slack covers their rounding.
_RELATIVE_SLACK = 1e-5
_ABSOLUTE_SLACK = 1e-6
# Past this many matches to score (words in most documents), the statement.
MAX_SCORED = 1000
# Matches scored in the first round beyond the page's end.
_FIRST_EXTRA = 5
_CHANGED = "d.index_id IN (SELECT index_id FROM quebec_search_changed)"


def eligible(plan: QueryPlan, facets: FacetRequest) -> bool:
    """Whether ``plan`` is one the lists answer as the statement does."""
    options = plan.options
    if not suite_config.search_posting_lists():
        return False
    q = plan.plain_query
    if (options.get("defType") != "dismax" or q is None or plan.boosted
            or options.get("mm") is None or plan.start + plan.rows > MAX_PAGE_END):
        return False
    words = q.split()
    if not words or plan.rank_terms != tuple(words) or any(
            word in _OPERATORS or not _PLAIN_WORD_RE.match(word) for word in words):
        return False
    query_fields = str(options.get("qf") or "text").split()
    if "text" not in (field.split("^")[0] for field in query_fields):
        return False
    if (not plan.conditions or plan.conditions[0].on_signature
            or not all(condition.on_signature for condition in plan.conditions[1:])):
        return False
    if not plan.sort_keys or plan.sort_keys[0].expression != plan.rank \
            or plan.sort_keys[0].direction != "DESC":
        return False
    return all(field in facets.counted for field in facets.fields)


def read(connection: sa.engine.Connection, plan: QueryPlan, facets: FacetRequest
         ) -> Optional[tuple[int, dict[str, list[Any]], Page, Optional[list[dict[str, Any]]]]]:
    """(count, facets, page, the page's documents when read with it) of an eligible
    ``plan``; None to read it by the statement."""
    # The changed documents are few: their signature conditions are tested on each.
    where = " AND ".join(plan.other_conditions() + plan.signature_conditions() + [_CHANGED])
    sql, params = read_statement(plan, facets, parallel.TABLE, where, {}, True)
    context, context_params = _context_sql(plan)
    rows = connection.execute(sa.text(sql + context), {**params, **context_params}).all()
    by_kind: dict[int, list[Any]] = {}
    for row in rows:
        if row[0] <= _CHANGED_ROW:
            by_kind.setdefault(row[0], []).append(row)
    build_id = by_kind[_BUILD_ROW][0][1]
    keys = segments.segment_keys((row[1], bool(int(row[3]) & 1), bool(int(row[3]) & 2))
                                 for row in by_kind.get(_SEGMENT_ROW, []))
    if build_id is None or keys is None:
        return None
    changed = [row[2] for row in by_kind.get(_CHANGED_ROW, [])]
    texts = [row[2] for row in sorted(by_kind.get(_WORD_ROW, []), key=lambda row: row[1])]
    texts.append(by_kind[_TITLE_KEY_ROW][0][2])
    changes = [row for row in rows if row[0] > _CHANGED_ROW]
    forward = _forward(connection, int(build_id))
    if forward is None:
        return None
    table = next((row[1] for row in changes if row[0] == -1), None)
    if facets.counted and table != forward.facet_table:
        return None  # the facet numbering was made again since the build
    stored: dict[str, Any] = {}
    base = _build_half(connection, plan, forward, keys, changed, table or 0, tuple(texts),
                       stored)
    if base is None:
        return None
    count, counts, page = merged(connection, [changes, base], plan, facets)
    docs = (page_documents(plan.options.get("fl"), [(key, score, stored[key])
                                                     for key, score in page])
            if all(key in stored for key, _ in page) else None)
    return count, counts, page, docs


# Rows the read's statement adds to single_pass.read_statement's (-2 page, -1 counts).
_CHANGED_ROW, _BUILD_ROW, _SEGMENT_ROW, _WORD_ROW, _TITLE_KEY_ROW = -3, -4, -5, -6, -7


def _context_sql(plan: QueryPlan) -> tuple[str, dict[str, Any]]:
    """The rows, in the changes' snapshot, that the build's half reads: the changed
    documents, the current build, each segment key's (all kept + 2 × some kept),
    each word's tsquery as text by position, the query's title key."""
    words = list(plan.rank_terms)
    binds = {f"_postings_w{number}": word for number, word in enumerate(words)}
    tsqueries = ", ".join(f"CAST(quebec_search_words(:_postings_w{number}) AS text)"
                          for number in range(len(words)))
    return (
        f" UNION ALL (SELECT {_CHANGED_ROW}, NULL, c.index_id, 0, NULL FROM"
        " (SELECT DISTINCT index_id FROM quebec_search_changed) AS c)"
        f" UNION ALL (SELECT {_BUILD_ROW}, CAST({postings_build.CURRENT_SQL} AS bigint), NULL, 0, NULL)"
        f" UNION ALL (SELECT {_SEGMENT_ROW}, k.key, NULL,"
        " CAST(k.all_kept AS integer) + 2 * CAST(k.some_kept AS integer), NULL"
        f" FROM ({segments.key_rows_sql(plan)}) AS k)"
        f" UNION ALL (SELECT {_WORD_ROW}, w.n, w.q, 0, NULL FROM"
        f" unnest(ARRAY[{tsqueries}]) WITH ORDINALITY AS w(q, n))"
        f" UNION ALL (SELECT {_TITLE_KEY_ROW}, NULL, lower(unaccent(CAST(:_postings_q AS text))),"
        " 0, NULL)", {**binds, "_postings_q": plan.plain_query})


# -- the build's half ---------------------------------------------------------------
def _build_half(connection: sa.engine.Connection, plan: QueryPlan, forward: "_Forward",
                keys: list[int], changed: list[str], table: int, texts: tuple[Any, ...],
                stored: dict[str, Any]) -> Optional[list[Any]]:
    """The rows of a partial read (single_pass.read_statement's shape) of the
    build's documents not changed since; None when the lists cannot answer.
    ``texts``: the words' tsqueries and the title key (:func:`_context_sql`);
    ``stored`` gets the stored fields of the matches scored."""
    words = list(plan.rank_terms)
    try:
        trees = [postings_query.parse(text) for text in texts[:len(words)]]
    except postings_query.Unsupported:
        return None
    title_key = texts[len(words)]
    either = postings_query.either_of(trees)
    items = postings_query.rank_items(either)
    language = interface_language()
    language_field = (postings_build.VECTORS.index(f"search_text_{language}")
                      if language in solr_fields.LANGUAGES else None)
    presence_items = sorted({lexeme for tree in trees for lexeme in postings_query.lexemes(tree)})
    lists = _lists(connection, forward.build_id, presence_items, items, language_field)
    if lists is None:
        return None
    documents = forward.documents
    none = np.zeros(documents, dtype=bool)

    def present(lexeme: str) -> np.ndarray:
        found = lists.get((0, lexeme))
        if found is None:
            return none
        mask = np.zeros(documents, dtype=bool)
        mask[found[0]] = True
        return mask

    required = 1 if len(words) == 1 else max(min_should_match(plan.options.get("mm"),
                                                              len(words)), 1)
    tally = np.full(documents, sum(tree is None for tree in trees), dtype=np.int32)
    for tree in trees:
        if tree is not None:
            tally += postings_query.evaluate(tree, present)
    keep = (tally >= required) & np.isin(forward.signature_key, np.array(keys, dtype=np.int64))
    gone = [forward.number_of[index_id] for index_id in changed if index_id in forward.number_of]
    keep[np.array(gone, dtype=np.int64)] = False
    matches = np.flatnonzero(keep)
    rows: list[Any] = []
    end = plan.start + plan.rows
    if len(matches) and end:
        upper = _upper_bounds(plan, forward, lists, either, items, language_field, matches,
                              title_key)
        page = _page_rows(connection, plan, forward, matches, upper, end, stored)
        if page is None:
            return None
        rows = page
    numbers = _facet_numbers(forward, matches)
    rows.append((-1, table, numbers if len(numbers) else None, len(matches), None))
    return rows


def _lists(connection: sa.engine.Connection, build_id: int, presence: list[str],
           items: list[str], language_field: Optional[int]
           ) -> Optional[dict[tuple[int, str], tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]]]:
    """{(field, lexeme): (numbers, ranks, equal-weight ranks)}: the words' lists
    in field 0, and their rank items in the reader's language; None when the
    build was dropped meanwhile."""
    cursor = connection.connection.cursor()
    try:
        selects = [cursor.mogrify(
            "SELECT field, lexeme, df, data FROM quebec_search_posting_list"
            " WHERE build_id = %s AND field = 0 AND lexeme = ANY(%s)",
            (build_id, presence)).decode()]
        if language_field is not None and items:
            selects.append(cursor.mogrify(
                "SELECT field, lexeme, df, data FROM quebec_search_posting_list"
                " WHERE build_id = %s AND field = %s AND lexeme = ANY(%s)",
                (build_id, language_field, items)).decode())
        # The build's row in the same snapshot: the lists read are whole.
        selects.append(cursor.mogrify(
            "SELECT CAST(-1 AS smallint), '', 0, CAST('' AS bytea)"
            " FROM quebec_search_posting_build WHERE id = %s", (build_id,)).decode())
        buffer = io.BytesIO()
        cursor.copy_expert(f"COPY ({' UNION ALL '.join(selects)}) TO STDOUT (FORMAT binary)",
                           buffer)
    finally:
        cursor.close()
    rows = _copy_rows(buffer.getbuffer())
    if not any(row[0] == -1 for row in rows):
        return None
    lists = {}
    for field, lexeme, df, data in rows:
        if field == -1:
            continue
        numbers = np.frombuffer(data, "<i4", df, 0)
        ranks = np.frombuffer(data, "<f4", df, 4 * df)
        equal = np.frombuffer(data, "<f4", df, 8 * df) if len(data) >= 12 * df else None
        lists[(field, lexeme)] = (numbers, ranks, equal)
    return lists


def _copy_rows(raw: memoryview) -> list[tuple[int, str, int, memoryview]]:
    """(field int2, lexeme text, df int4, data bytea) rows of a binary COPY."""
    rows = []
    offset = 19
    while True:
        (count,) = struct.unpack_from(">h", raw, offset)
        offset += 2
        if count == -1:
            return rows
        values = []
        for _ in range(count):
            (length,) = struct.unpack_from(">i", raw, offset)
            offset += 4
            values.append(raw[offset:offset + length])
            offset += length
        rows.append((struct.unpack(">h", values[0])[0], bytes(values[1]).decode(),
                     struct.unpack(">i", values[2])[0], values[3]))


def _or_rank(lists: dict, field: int, tree: Optional[postings_query.Tree], items: list[str],
             matches: np.ndarray, documents: int, equal: bool = False) -> np.ndarray:
    """An upper bound of ts_rank(vector, the OR of the words) for each match.

    calc_rank_or adds up, whatever the operators below the top, the rank of
    each item alone, over the number of items: the lists hold those ranks
    (float4), added up here in float8 (the slack of :func:`_upper_bounds`
    covers the difference). An AND at the top is calc_rank_and's: at most 1.
    """
    if tree is None or not items:
        return np.zeros(len(matches))
    if tree[0] == "&":
        return np.ones(len(matches))
    total = np.zeros(documents)
    for item in items:
        found = lists.get((field, item))
        if found is not None:
            total[found[0]] += (found[2] if equal else found[1]).astype(np.float64)
    return total[matches] / len(items)


def _upper_bounds(plan: QueryPlan, forward: "_Forward", lists: dict,
                  either: Optional[postings_query.Tree], items: list[str],
                  language_field: Optional[int], matches: np.ndarray,
                  title_key: str) -> np.ndarray:
    """An upper bound of each match's score (plan._text_rank): the phrase part at
    most 1, the others read from the lists."""
    documents = forward.documents
    text = _or_rank(lists, 0, either, items, matches, documents)
    equal = _or_rank(lists, 0, either, items, matches, documents, equal=True)
    language = (_or_rank(lists, language_field, either, items, matches, documents)
                if language_field is not None else 0.0)
    phrase = 1.0 if phrase_ranked(plan.rank_terms) else 0.0
    boost = np.zeros(len(matches))
    exact = forward.exact_names(slug(plan.plain_query), title_key)
    if exact:
        boost[np.isin(matches, np.array(exact, dtype=np.int64))] = _EXACT_NAME_BOOST
    upper = ((text + _PHRASE_BOOST * phrase + _LANGUAGE_BOOST * language)
             * forward.title_norm[matches] + _OCCURRENCES_BOOST * equal + boost)
    return upper * (1 + _RELATIVE_SLACK) + _ABSOLUTE_SLACK


def _page_rows(connection: sa.engine.Connection, plan: QueryPlan, forward: "_Forward",
               matches: np.ndarray, upper: np.ndarray, end: int, stored: dict[str, Any]
               ) -> Optional[list[Any]]:
    """The page rows (-2) of the matches that may be among the first ``end``, scored
    by the statement's rank in rounds (their stored fields into ``stored``); None
    past :data:`MAX_SCORED` to score.

    The first round scores the ``end`` (and a few more) highest upper bounds;
    each next one, the matches not scored yet whose upper bound reaches the
    ``end``-th score found: any other has ``end`` matches before it. A lower
    bound would leave the phrase part's 1 between the bounds; the scores
    found narrow the rounds (26–47 matches scored of about 10,000 in the
    prototype's runs).
    """
    count = len(matches)
    done = np.zeros(count, dtype=bool)
    first = min(count, end + _FIRST_EXTRA)
    batch = np.argpartition(-upper, first - 1)[:first] if first < count else np.arange(count)
    scores: list[float] = []
    rows: list[Any] = []
    while len(batch):
        if len(scores) + len(batch) > MAX_SCORED:
            return None
        done[batch] = True
        position = {forward.index_ids[number]: at
                    for at, number in zip(batch.tolist(), matches[batch].tolist())}
        for index_id, score, keys, columns in _scored(connection, plan, list(position)):
            scores.append(score)
            rows.append((-2, 0, index_id, score, keys))
            stored[index_id] = columns
        if len(scores) < end:
            break  # every match is scored (the first round takes them all)
        # The end-th score found: a match whose upper bound is below it has
        # end matches before it.
        kth = np.partition(np.array(scores), len(scores) - end)[len(scores) - end]
        batch = np.flatnonzero(~done & (upper >= kth))
    return rows


def _scored(connection: sa.engine.Connection, plan: QueryPlan, index_ids: list[str]
            ) -> list[tuple[str, float, list[Optional[str]], tuple[Any, ...]]]:
    """(index_id, score, sort keys as text, stored fields as documents.stored_columns
    reads them) of these documents, by the statement's expressions: a page of
    them needs no other read."""
    aliases = ["score" if key.expression == plan.rank else f"s{number}"
               for number, key in enumerate(plan.sort_keys)]
    columns = ["d.index_id", f"{plan.rank} AS score"] + [
        f"{key.expression} AS {alias}" for key, alias in zip(plan.sort_keys, aliases)
        if alias != "score"]
    keys = "ARRAY[" + ", ".join(
        [merge.comparable_text(alias, key.kind) for key, alias in zip(plan.sort_keys, aliases)]
        + ["index_id"]) + "]"
    params = plan.statement_params(_postings_ids=index_ids)
    stored = stored_columns(field_list(plan.options.get("fl")), params)
    rows = connection.execute(sa.text(
        f"SELECT index_id, score, {keys}, {', '.join(stored)} FROM (SELECT {', '.join(columns)},"
        f" o.s FROM quebec_search_document d, {STORED_ONCE}"
        " WHERE d.index_id = ANY(:_postings_ids)) AS m"), params).all()
    return [(row[0], float(row[1]), list(row[2]), tuple(row[3:])) for row in rows]


def _facet_numbers(forward: "_Forward", matches: np.ndarray) -> np.ndarray:
    """The packed facet numbers of ``matches``, one after another."""
    starts = forward.facet_offsets[matches]
    lengths = forward.facet_offsets[matches + 1] - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int32)
    first = np.zeros(len(matches), dtype=np.int64)
    np.cumsum(lengths[:-1], out=first[1:])
    return forward.facet_numbers[np.repeat(starts - first, lengths) + np.arange(total)]


# -- what a process keeps of a build -------------------------------------------------
class _Forward:
    """A build's numbering and forward arrays, read once per process."""

    def __init__(self, connection: sa.engine.Connection, build_id: int):
        self.build_id = build_id
        row = connection.execute(sa.text(
            "SELECT documents, facet_table FROM quebec_search_posting_build WHERE id = :b"),
            {"b": build_id}).one()
        self.documents, self.facet_table = int(row[0]), row[1]
        arrays = {name: np.frombuffer(bytes(data), postings_build.FORWARD[name])
                  for name, data in connection.execute(sa.text(
                      "SELECT name, data FROM quebec_search_posting_forward WHERE build_id = :b"),
                      {"b": build_id})}
        self.signature_key = arrays["signature_key"]
        self.title_norm = arrays["title_norm"]
        self.facet_offsets = arrays["facet_offsets"]
        self.facet_numbers = arrays["facet_numbers"]
        self.index_ids: list[str] = []
        self.by_name: dict[str, list[int]] = {}
        self.by_title: dict[str, list[int]] = {}
        for number, index_id, name, title_keys in connection.execute(sa.text(
                "SELECT number, index_id, name, title_keys FROM quebec_search_posting_document"
                " WHERE build_id = :b ORDER BY number"), {"b": build_id}):
            self.index_ids.append(index_id)
            if name is not None:
                self.by_name.setdefault(name, []).append(number)
            for key in title_keys or []:
                if key is not None:
                    self.by_title.setdefault(key, []).append(number)
        self.number_of = {index_id: number for number, index_id in enumerate(self.index_ids)}
        if len(self.index_ids) != self.documents or len(self.signature_key) != self.documents:
            raise ValueError(f"posting build {build_id} is incomplete")

    def exact_names(self, name: str, title_key: Optional[str]) -> list[int]:
        """The documents the exact-name boost lifts."""
        return self.by_name.get(name, []) + (self.by_title.get(title_key, [])
                                             if title_key is not None else [])


_kept: dict[int, _Forward] = {}
_lock = threading.Lock()


def _forward(connection: sa.engine.Connection, build_id: int) -> Optional[_Forward]:
    """The build's forward arrays, from this process's memory or read now (the last
    two builds kept); None when it is gone."""
    with _lock:
        found = _kept.get(build_id)
    if found is not None:
        return found
    try:
        found = _Forward(connection, build_id)
    except sa.exc.NoResultFound:
        return None
    with _lock:
        for old in sorted(_kept)[:-1]:
            del _kept[old]
        _kept[build_id] = found
    return found
