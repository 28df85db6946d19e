"""A search of plain words read from the posting lists (migration 0017, postings_build.py).

Only for the plans it answers exactly as the statement (:func:`eligible`):
plain words of q under dismax, ranked by score first, filters on signature
fields only that segments with keys answer, every facet field counted, a
page within :data:`MAX_PAGE_END`. Any other plan, or a build missing or
changed under the read, is left to the statement (the caller's fallback).

A first statement (one snapshot) reads the current build, the documents
written since, the segments' keys the filters keep, each word's tsquery
and the query's title key; then two halves, merged as the partitions'
reads are (single_pass.merged):

- the *build*: the words' lists of that build, without those documents.
  mm, visibility (signature keys) and facet numbers are applied in numpy.
  A match's score has an upper bound read from the lists (ts_rank of
  each word alone, added up as ts_rank adds them, the phrase part at most
  1): only the matches whose bound reaches the page's end-th score are
  scored (in rounds, highest bounds first), by the statement's own rank
  expression on those rows (plan.text_rank, the tsqueries bound as the
  first statement read them: the same values, not made again), so scores
  and sort keys are PostgreSQL's. Words in most documents (more than
  MAX_SCORED such matches) are left to the statement.
- the *changes*: the single-pass statement restricted to the documents
  written since the build, sent with the first round of scores (no
  round trip of its own) and planned with the same bound tsqueries.

The statements after the first each read in their own snapshot, as the
partitions' reads each have theirs (parallel.py): a document written while
a search reads may be counted as the build holds it and scored as it is
now.
"""
from __future__ import annotations

import io
import re
import struct
import threading
from typing import Any, NamedTuple, Optional

import numpy as np
import sqlalchemy as sa

from ckanext.quebec import config as suite_config

from . import fields as solr_fields
from . import numbered, parallel, postings_build, postings_query, segments
from .documents import STORED_ONCE, Page, field_list, page_documents, stored_columns
from .facets import FacetRequest
from .lucene import min_should_match
from .plan import (_EXACT_NAME_BOOST, _LANGUAGE_BOOST, _OCCURRENCES_BOOST, _PHRASE_BOOST,
                   QueryPlan, interface_language, phrase_ranked, slug, text_rank)
from .single_pass import key_texts, match_columns, merged, read_statement

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
    context = _read_context(connection, plan)
    if context is None:
        return None
    forward = _forward(connection, context.build_id)
    if forward is None:
        return None
    if facets.counted and context.facet_table != forward.facet_table:
        return None  # the facet numbering was made again since the build
    scorer = _Scorer(connection, plan, facets, context)
    base = _build_half(connection, plan, forward, context, scorer)
    if base is None:
        return None
    if scorer.changes is None:
        scorer.score([])  # nothing of the build to score: the changed documents, if any
    count, counts, page = merged(connection, [scorer.changes, base], plan, facets)
    stored = scorer.stored
    docs = (page_documents(plan.options.get("fl"), [(key, score, stored[key])
                                                     for key, score in page])
            if all(key in stored for key, _ in page) else None)
    return count, counts, page, docs


class _Context(NamedTuple):
    """What the build's half reads, in one snapshot (:func:`_read_context`)."""
    build_id: int
    facet_table: Optional[int]
    keys: list[int]  # the signature keys of the segments the filters keep
    changed: list[str]  # the documents written since the build
    words: list[str]  # each word's tsquery, as text
    all_words: Optional[str]  # the phrase part's tsquery (all the words), as text
    title_key: str  # q as title_keys holds titles


# Rows of the context's statement: (kind, number, text).
_TABLE_ROW, _CHANGED_ROW, _BUILD_ROW, _SEGMENT_ROW, _WORD_ROW, _ALL_WORDS_ROW, _TITLE_KEY_ROW = (
    range(7))
# The rows of the documents scored (the changes' rows are read_statement's).
_SCORED_ROW = -9


def _read_context(connection: sa.engine.Connection, plan: QueryPlan) -> Optional[_Context]:
    """The current build, the facet numbering table, the changed documents, the
    segment keys the filters keep (segments.kept_keys_sql), the words'
    tsqueries and the query's title key, read by one statement (one
    snapshot); None when no build is current or a key does not tell apart
    segments the filters do."""
    words = list(plan.rank_terms)
    params = {f"_postings_w{number}": word for number, word in enumerate(words)}
    params.update(_postings_q=plan.plain_query, _postings_all=" ".join(words))
    params.update(plan.params)
    tsqueries = ", ".join(f"CAST(quebec_search_words(:_postings_w{number}) AS text)"
                          for number in range(len(words)))
    branches = [
        f"SELECT {_TABLE_ROW}, {numbered.TABLE_SQL}, NULL",
        f"SELECT {_CHANGED_ROW}, 0, c.index_id FROM"
        " (SELECT DISTINCT index_id FROM quebec_search_changed) AS c",
        f"SELECT {_BUILD_ROW}, CAST({postings_build.CURRENT_SQL} AS bigint), NULL",
        f"SELECT {_SEGMENT_ROW}, 0, CAST({segments.kept_keys_sql(plan)} AS text)",
        f"SELECT {_WORD_ROW}, w.n, w.q FROM unnest(ARRAY[{tsqueries}]) WITH ORDINALITY AS w(q, n)",
        f"SELECT {_TITLE_KEY_ROW}, 0, lower(unaccent(CAST(:_postings_q AS text)))"]
    if phrase_ranked(plan.rank_terms):
        branches.append(f"SELECT {_ALL_WORDS_ROW}, 0,"
                        " CAST(quebec_search_all_words(:_postings_all) AS text)")
    by_kind: dict[int, list[Any]] = {}
    for kind, number, text in connection.execute(
            sa.text(" UNION ALL ".join(f"({branch})" for branch in branches)), params):
        by_kind.setdefault(kind, []).append((number, text))
    build_id, keys = by_kind[_BUILD_ROW][0][0], by_kind[_SEGMENT_ROW][0][1]
    if build_id is None or keys is None:
        return None
    return _Context(
        int(build_id), by_kind[_TABLE_ROW][0][0],
        [int(key) for key in keys.strip("{}").split(",") if key],
        [text for _, text in by_kind.get(_CHANGED_ROW, [])],
        [text for _, text in sorted(by_kind.get(_WORD_ROW, []))],
        by_kind[_ALL_WORDS_ROW][0][1] if _ALL_WORDS_ROW in by_kind else None,
        by_kind[_TITLE_KEY_ROW][0][1])


# -- the build's half ---------------------------------------------------------------
def _build_half(connection: sa.engine.Connection, plan: QueryPlan, forward: "_Forward",
                context: _Context, scorer: "_Scorer") -> Optional[list[Any]]:
    """The rows of a partial read (single_pass.read_statement's shape) of the
    build's documents not changed since; None when the lists cannot answer."""
    words = list(plan.rank_terms)
    try:
        trees = [postings_query.parse(text) for text in context.words]
    except postings_query.Unsupported:
        return None
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
    keep = (tally >= required) & np.isin(forward.signature_key,
                                         np.array(context.keys, dtype=np.int64))
    gone = [forward.number_of[index_id] for index_id in context.changed
            if index_id in forward.number_of]
    keep[np.array(gone, dtype=np.int64)] = False
    matches = np.flatnonzero(keep)
    rows: list[Any] = []
    end = plan.start + plan.rows
    if len(matches) and end:
        upper = _upper_bounds(plan, forward, lists, either, items, language_field, matches,
                              context.title_key)
        page = _page_rows(plan, forward, matches, upper, end, scorer)
        if page is None:
            return None
        rows = page
    numbers = _facet_numbers(forward, matches)
    rows.append((-1, context.facet_table or 0, numbers if len(numbers) else None,
                 len(matches), None))
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


def _page_rows(plan: QueryPlan, forward: "_Forward", matches: np.ndarray, upper: np.ndarray,
               end: int, scorer: "_Scorer") -> Optional[list[Any]]:
    """The page rows (-2) of the matches that may be among the first ``end``, scored
    by the statement's rank in rounds; None past :data:`MAX_SCORED` to score.

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
        for index_id, score, keys in scorer.score(
                [forward.index_ids[number] for number in matches[batch].tolist()]):
            scores.append(score)
            rows.append((-2, 0, index_id, score, keys))
        if len(scores) < end:
            break  # every match is scored (the first round takes them all)
        # The end-th score found: a match whose upper bound is below it has
        # end matches before it.
        kth = np.partition(np.array(scores), len(scores) - end)[len(scores) - end]
        batch = np.flatnonzero(~done & (upper >= kth))
    return rows


class _Scorer:
    """Scores documents of the build by the statement's rank, the words'
    tsqueries bound as read (:class:`_Context`: the same tsqueries, planned
    without making them again); the first call also reads the documents
    changed since the build as the statement would (their rows in
    ``changes``)."""

    def __init__(self, connection: sa.engine.Connection, plan: QueryPlan,
                 facets: FacetRequest, context: _Context):
        self.connection, self.plan, self.facets = connection, plan, facets
        self.changed = context.changed
        self.params = plan.statement_params(
            _postings_name=slug(plan.plain_query),
            _postings_key=context.title_key, _postings_all=context.all_words,
            **{f"_postings_t{number}": text for number, text in enumerate(context.words)})
        self.rank = rank = text_rank(
            [f"CAST(:_postings_t{number} AS tsquery)" for number in range(len(context.words))],
            "CAST(:_postings_all AS tsquery)" if context.all_words is not None else None,
            ("CAST(:_postings_name AS text)", "ARRAY[CAST(:_postings_key AS text)]"))
        columns, aliases = match_columns(plan, rank)
        keys = key_texts(plan.sort_keys, aliases)
        stored = stored_columns(field_list(plan.options.get("fl")), self.params)
        self.width = len(keys)
        # OFFSET 0: the rank is computed once per row, not for each use of score.
        self.sql = (f"SELECT {_SCORED_ROW}, 0, index_id, score, ARRAY[{', '.join(keys + stored)}]"
                    f" FROM (SELECT {', '.join(columns)}, o.s FROM quebec_search_document d,"
                    f" {STORED_ONCE} WHERE d.index_id = ANY(:_postings_ids) OFFSET 0) AS m")
        self.changes: Optional[list[Any]] = None
        self.stored: dict[str, Any] = {}

    def score(self, index_ids: list[str]) -> list[tuple[str, float, list[Optional[str]]]]:
        """(index_id, score, sort keys as text) of these documents; their stored
        fields (documents.stored_columns) into ``stored``."""
        first = self.changes is None
        if not index_ids and not (first and self.changed):
            self.changes = self.changes or []
            return []
        sql = self.sql
        params = dict(self.params, _postings_ids=index_ids)
        if first and self.changed:
            where = " AND ".join(self.plan.other_conditions() + self.plan.signature_conditions()
                                 + ["d.index_id = ANY(:_postings_changed)"])
            changes_sql, changes_params = read_statement(
                self.plan, self.facets, parallel.TABLE, where, {}, True, rank=self.rank)
            sql = f"{changes_sql} UNION ALL ({sql})"
            params.update(changes_params, _postings_changed=self.changed)
        rows = self.connection.execute(sa.text(sql), params).all()
        if first:
            self.changes = [row for row in rows if row[0] != _SCORED_ROW]
        scored = []
        for _, _, index_id, score, values in (row for row in rows if row[0] == _SCORED_ROW):
            scored.append((index_id, float(score), list(values[:self.width])))
            self.stored[index_id] = tuple(values[self.width:])
        return scored


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
