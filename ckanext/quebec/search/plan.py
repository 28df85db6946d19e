"""A Solr select request planned as SQL over ``quebec_search_document d``.

:class:`QueryPlan` reads q, fq, the dismax options, the boost functions,
the sort and the page once, when it is made: its conditions, rank, sort
keys and bound parameters are then fixed, and the parts that read them
(segments.py, facets.py, single_pass.py, documents.py) may use them in any
order. Each condition knows the columns it reads (the compiler notes them),
which tells the conditions the index's segments can answer.
"""
from __future__ import annotations

import contextlib
import re
import unicodedata
from types import MappingProxyType
from typing import Any, Iterator, Mapping, NamedTuple

import ckan.plugins.toolkit as tk
import flask
import pysolr

from . import fields as solr_fields
from . import localparams, merge, spatial
from .lucene import (Compiler, MisplacedOperatorError, Params, QuerySyntaxError, min_should_match,
                     parse_query_fields, strip_illegal_operators, strip_local_params,
                     unknown_field)
from .options import as_list, compile_or_raise, invalid
from .syntax import escape_wildcards

_DEFAULT_ROWS = 10
_MAX_ROWS = 100_000
_SORT_DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
_WORD_RE = re.compile(r"[^\W_]+")
# Added to a match's rank (ts_rank, about 0.6 for a title word): the words
# near one another (most as a phrase) count as much again, a match in the
# reader's language half again, and a dataset named or titled exactly as q
# comes before any other.
_PHRASE_BOOST = 1.0
_LANGUAGE_BOOST = 0.5
_EXACT_NAME_BOOST = 100
# Solr's dismax scores a word by BM25 in the title (boosted 4) plus a tenth
# of BM25 in the catch-all text: of the datasets that hold the same words,
# the one whose title is shorter comes first (a length norm per field), then
# the one whose text holds them more often. So the text rank is scaled as
# BM25 scales the score of a word found once in the title, (k1 + 1) / (k1 *
# (1 - b + b * words / average) + 1) with Lucene's k1 and b, and a rank that
# counts every occurrence alike (ts_rank with equal weights grows with their
# number) breaks what is left of the ties. The title's words are counted in
# the first of title_keys (the narrow column: one language's title, as
# lower(unaccent()) wrote it, dashes and quotes as - and '), split at spaces,
# hyphens and apostrophes as Solr's text analysis splits them; replace() and
# octet_length() cost a fifth of translate() and length(), and float8
# arithmetic far less than numeric.
_BM25_K1 = 1.2
_BM25_B = 0.75
_AVERAGE_TITLE_WORDS = 8
_TITLE_WORDS = ("CAST(octet_length(d.title_keys[1]) - octet_length(replace(replace(replace("
                "d.title_keys[1], ' ', ''), '-', ''), '''', '')) + 1 AS float8)")
_OCCURRENCES_BOOST = 0.3


class SortKey(NamedTuple):
    expression: str  # SQL over ``d``
    direction: str  # ASC or DESC
    kind: str  # merge.NUMBER, merge.DATE or merge.TEXT: how partial reads compare it


class Condition(NamedTuple):
    sql: str  # over ``d``
    columns: frozenset[str]  # the columns of ``d`` it reads

    @property
    def on_signature(self) -> bool:
        """Whether it reads the signature only: it then holds for all the
        documents of a segment (one signature) or for none."""
        return self.columns <= {"signature"}


class QueryPlan:
    """One Solr select request, translated to SQL once."""

    def __init__(self, q: str | None, options: dict[str, Any]):
        self.options = options
        params = Params()
        operator = str(options.get("q.op", "OR")).upper()
        self._compiler = Compiler(params, default_field=options.get("df") or "text",
                                  default_operator="AND" if operator == "AND" else "OR")
        # q as the words someone typed (no field names), for the name boost
        self.plain_query: str | None = None
        # q's and each fq's, ANDed; words of q rank the results, fq filters only.
        self.conditions: tuple[Condition, ...] = tuple(
            [self._parsed_condition((q if q is not None else options.get("q")) or "*:*",
                                    options.get("defType"))]
            + [self._filter_condition(fq) for fq in as_list(options.get("fq"))
               if fq and fq.strip()])
        self.rank_terms: tuple[str, ...] = tuple(self._compiler.rank_terms)
        boost = self._boost()
        self.boosted = boost is not None  # bf functions add to the score (spatial hook)
        rank = self._text_rank() if self.rank_terms else "0.0"
        self.rank = f"({rank} + {boost})" if boost else rank
        self.rows, self.start = _page(options)
        self.faceted = str(options.get("facet", "false")).lower() == "true"
        self.facet_names = [strip_local_params(name).strip()
                            for name in as_list(options.get("facet.field"))
                            ] if self.faceted else []
        # Every value of q and fq is bound by now: these parameters no longer change.
        self.params: Mapping[str, Any] = MappingProxyType(dict(params.values))
        # The sort binds its own (``sort0``...). Read now: Solr refuses a bad
        # sort whether or not the search returns a page to sort.
        self._sort_params = Params(prefix="sort")
        self.sort_keys: tuple[SortKey, ...] = tuple(self._sort_keys())

    def statement_params(self, **extra: Any) -> dict[str, Any]:
        """The parameters of a statement that reads the conditions, rank and sort."""
        return {**self.params, **self._sort_params.values, **extra}

    @property
    def where(self) -> str:
        return " AND ".join(condition.sql for condition in self.conditions)

    def signature_conditions(self) -> list[str]:
        """The conditions of q and fq that read signature fields only."""
        return [condition.sql for condition in self.conditions if condition.on_signature]

    def other_conditions(self) -> list[str]:
        return [condition.sql for condition in self.conditions if not condition.on_signature]

    @property
    def on_signature_only(self) -> bool:
        return all(condition.on_signature for condition in self.conditions)

    @property
    def ranked(self) -> bool:
        """Whether the score differs between matches (words of q, boost functions)."""
        return bool(self.rank_terms) or self.boosted

    # -- q and fq --------------------------------------------------------------
    def _compiled(self, compile_: Any) -> Condition:
        self._compiler.columns = set()
        sql = compile_()
        return Condition(sql, frozenset(self._compiler.columns))

    def _parsed_condition(self, text: str, def_type: str | None) -> Condition:
        """q, or a filter, read by the query parser its local params name, else ``def_type``."""
        try:
            local = localparams.read(text)
        except QuerySyntaxError as error:
            raise invalid(str(error)) from error
        if local.parser in (localparams.LUCENE, localparams.DISMAX, localparams.EDISMAX):
            def_type = None if local.parser == localparams.LUCENE else local.parser
            local = local._replace(parser=None)
        if local.parser is None:
            with self._local_defaults(local):
                return self._query_condition(local.query.strip(), def_type)
        return self._compiled(lambda: self._bool_sql(local))

    def _bool_sql(self, local: localparams.LocalParams) -> str:
        try:
            return localparams.compile_bool(local, self._clause_sql)
        except QuerySyntaxError as error:
            raise invalid(str(error)) from error

    def _clause_sql(self, text: str) -> str:
        """A clause of a bool query (``must=...``): Lucene syntax, or local params again."""
        local = localparams.read(text)
        if local.parser in (None, localparams.LUCENE):
            with self._local_defaults(local):
                return self._compiler.compile_text(local.query)
        return localparams.compile_bool(local, self._clause_sql)

    @contextlib.contextmanager
    def _local_defaults(self, local: localparams.LocalParams) -> Iterator[None]:
        """The default operator (``q.op``) and field (``df``) local params give, while they apply."""
        compiler = self._compiler
        before = compiler.default_operator, compiler.default_field
        for operator in local.values("q.op"):
            compiler.default_operator = "AND" if operator.upper() == "AND" else "OR"
        for field in local.values("df"):
            if not solr_fields.is_valid_name(field):
                raise invalid(unknown_field(field))
            compiler.default_field = field
        try:
            yield
        finally:
            if local.values("q.op") or local.values("df"):
                compiler.default_operator, compiler.default_field = before

    def _query_condition(self, q: str, def_type: str | None) -> Condition:
        if def_type == "edismax" or (def_type == "dismax" and ":" not in q):
            # dismax: every word searches the query fields (qf), and at least
            # mm of them must match; edismax reads field names too.
            self._compiler.default_field = "text"
            self.plain_query = q if ":" not in q else None
            return self._compiled(lambda: self._dismax_condition(q, def_type))
        return self._compiled(lambda: compile_or_raise(self._compiler, q))

    def _dismax_condition(self, q: str, def_type: str) -> str:
        mm = self.options.get("mm")
        try:
            # Solr refuses a bad qf or mm, whatever q says.
            query_fields = parse_query_fields(self.options.get("qf"))
            min_should_match(mm, 1)
        except QuerySyntaxError as error:
            raise invalid(str(error)) from error
        if def_type == "dismax":
            q = escape_wildcards(strip_illegal_operators(q))
        try:
            return self._compiler.compile_dismax(q, mm, query_fields)
        except MisplacedOperatorError as error:
            if def_type == "dismax":
                # What dismax leaves of them (--word at the start) is Solr's syntax error.
                raise invalid(str(error)) from error
        except QuerySyntaxError:
            pass
        # Solr's dismax takes an unbalanced quote or parenthesis in what
        # people type as plain text, never as an error.
        return compile_or_raise(self._compiler, q, plain_words=True)

    # -- spatial hook: Solr function queries (ckanext-spatial solr-bbox) ---------
    def _filter_condition(self, fq: str) -> Condition:
        if not spatial.is_function_range(fq):
            return self._parsed_condition(fq, None)
        try:
            sql = spatial.function_range_condition(fq, self._compiler.params)
        except QuerySyntaxError as error:
            raise invalid(str(error)) from error
        return Condition(sql, frozenset({"fields"}))

    def _boost(self) -> str | None:
        """edismax's additive boost functions (``bf``), as SQL."""
        if self.options.get("defType") not in ("dismax", "edismax"):
            return None
        try:
            return spatial.boost_expression(self.options.get("bf"), self._compiler.params)
        except QuerySyntaxError as error:
            raise invalid(str(error)) from error
    # -- end of spatial hook -----------------------------------------------------

    def _text_rank(self) -> str:
        """How well a document matches the words of q (:func:`text_rank`), their
        tsqueries made by the statement."""
        bind = self._compiler.params.bind
        words = [f"quebec_search_words({bind(term)})" for term in self.rank_terms]
        all_words = (f"quebec_search_all_words({bind(' '.join(self.rank_terms))})"
                     if phrase_ranked(self.rank_terms) else None)
        exact = None
        if self.plain_query:
            # title_keys holds the titles as lower(unaccent()) gives them;
            # q goes through the same once (a sub-select, not per row).
            key = f"(SELECT ARRAY[lower(unaccent(CAST({bind(self.plain_query)} AS text)))])"
            exact = (bind(slug(self.plain_query)), key)
        return text_rank(words, all_words, exact)

    # -- sort ------------------------------------------------------------------
    def _sort_keys(self) -> list[SortKey]:
        """Each sort key, in order."""
        keys = []
        sort = self.options.get("sort") or "score desc"
        for part in str(sort).split(","):
            part = part.strip()
            if not part:
                continue
            pieces = part.split()
            if len(pieces) != 2 or pieces[1].lower() not in _SORT_DIRECTIONS:
                # CKAN answers "Invalid sort parameter" to Solr's own wording.
                raise pysolr.SolrError(
                    f"Can't determine a Sort Order (asc or desc) in sort spec '{part}'")
            name, direction = pieces[0], _SORT_DIRECTIONS[pieces[1].lower()]
            key = self._sort_key(name)
            if key is not None:
                keys.append(SortKey(key[0], direction, key[1]))
        return keys

    def _sort_key(self, name: str) -> tuple[str, str] | None:
        """(SQL expression, kind) of one sort field."""
        if name == "score":
            # Without words to rank by every score is equal; PostgreSQL also
            # refuses a bare constant in ORDER BY.
            return (self.rank, merge.NUMBER) if self.ranked else None
        if name == "index_id":
            return "d.index_id", merge.TEXT
        if not solr_fields.is_valid_name(name):
            raise invalid(unknown_field(name))
        value = f"(d.fields -> {self._sort_params.bind(name)} ->> 0)"
        kind = solr_fields.kind_of(name)
        if name == "metadata_modified":
            # The same reading, done when the document was written (indexed).
            return "d.metadata_modified", merge.DATE
        if kind == solr_fields.DATE:
            return f"quebec_search_try_timestamp{value}", merge.DATE
        if kind == solr_fields.NUMBER:
            return f"quebec_search_try_number{value}", merge.NUMBER
        return f'{value} COLLATE "C"', merge.TEXT


def text_rank(words: list[str], all_words: str | None,
              exact: tuple[str, str] | None) -> str:
    """How well a document matches the words of q, as SQL over ``d``, from the
    SQL of each word's tsquery, of all the words' (the phrase part, None for
    one word) and of (q as a name, q as a title key array) for the exact name
    or title (None without a plain q).

    Field weights (title A > tags B > notes C > resources and extras D), a
    bonus when the words appear as a phrase, a bonus for matches in the
    reader's language, all scaled by the title's length as Solr's BM25 scales
    them; then how often the words occur; and the dataset whose name or title
    is q first.
    """
    either = "(" + " || ".join(words) + ")"
    # ts_rank, not ts_rank_cd: the same field weights for a third of the
    # cost, which is paid for every match (10,000 of them at 100,000
    # datasets). The phrase boost is ts_rank of all the words as an AND
    # query, which grows as they come nearer: highest as a phrase.
    parts = [f"ts_rank(d.search_text, {either})"]
    if all_words is not None:
        parts.append(f"{_PHRASE_BOOST} * ts_rank(d.search_text, {all_words})")
    language = interface_language()
    if language in solr_fields.LANGUAGES:
        parts.append(f"{_LANGUAGE_BOOST} * ts_rank(d.search_text_{language}, {either})")
    parts = [f"(({' + '.join(parts)}) * {title_norm()})",
             f"{_OCCURRENCES_BOOST} * ts_rank('{{1,1,1,1}}', d.search_text, {either})"]
    if exact is not None:
        name, key = exact
        parts.append(f"(CASE WHEN d.name = {name} OR d.title_keys && {key}"
                     f" THEN {_EXACT_NAME_BOOST} ELSE 0 END)")
    return "(" + " + ".join(parts) + ")"


def phrase_ranked(terms: tuple[str, ...]) -> bool:
    """Whether the rank of ``terms`` has the phrase part (more than one word)."""
    return len(_WORD_RE.findall(" ".join(terms))) > 1


def title_norm() -> str:
    """BM25's factor for a word found once in the title, as SQL (1 for a title of average length)."""
    constant = 1 + _BM25_K1 * (1 - _BM25_B)
    per_word = _BM25_K1 * _BM25_B / _AVERAGE_TITLE_WORDS
    return f"({1 + _BM25_K1:g} / ({constant:g} + {per_word:g} * coalesce({_TITLE_WORDS}, 1)))"


def _page(options: dict[str, Any]) -> tuple[int, int]:
    try:
        rows = int(options.get("rows", _DEFAULT_ROWS))
        start = int(options.get("start", 0))
    except (TypeError, ValueError):
        rows = start = -1
    if rows < 0 or start < 0:
        raise invalid(tk._("rows and start must be positive whole numbers"))
    return min(rows, _MAX_ROWS), start


def interface_language() -> str:
    """The reader's language: the request's, else the site's default, else French."""
    language = None
    if flask.has_request_context():
        try:
            language = tk.h.lang()
        except (AttributeError, RuntimeError, KeyError):
            language = None
    language = language or tk.config.get("ckan.locale_default") or "fr"
    return str(language).replace("-", "_").split("_")[0].lower()


def slug(text: str) -> str:
    """``text`` as CKAN would spell it in a dataset name."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-")
