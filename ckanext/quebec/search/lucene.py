"""Compile Solr/Lucene query syntax into a PostgreSQL condition on the index.

Queries are parsed by luqum into a syntax tree; every value in it reaches SQL
as a bound parameter through :class:`Params`. Field names never reach SQL text
either: they are bound too (``fields -> :p3``).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field as dataclass_field
from typing import Any

import ckan.plugins.toolkit as tk
from luqum import tree

from . import datemath
from . import fields as solr_fields
from .syntax import (  # noqa: F401 (re-exported: importers read them here)
    MisplacedOperatorError, QuerySyntaxError, check_text, min_should_match, normalize_operators,
    parse, parse_query_fields, strip_illegal_operators, strip_local_params, unknown_field)

_UNESCAPE_RE = re.compile(r"\\(.)")
_WILDCARD_RE = re.compile(r"(?<!\\)[*?]")
_WORD_RE = re.compile(r"[^\W_]+")
# ``mm`` as one tsquery (Compiler._at_least_query) up to this many terms in
# it: CKAN's "2<-1 5<80%" on 10 words is 45 combinations of 8 (360); on 11,
# 165 of 8. Past it, the matched terms are counted: the index reads a larger
# tsquery for each document it holds.
_MAX_QUERY_TERMS = 400


@dataclass
class Params:
    """Bound parameters of one SQL statement, named p0, p1, ..."""

    values: dict[str, Any] = dataclass_field(default_factory=dict)
    prefix: str = "p"  # another prefix keeps another set's names apart

    def bind(self, value: Any) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return f":{name}"


@dataclass
class Compiler:
    """Turns one parsed query into SQL over ``quebec_search_document d``."""

    params: Params
    default_field: str = "text"
    default_operator: str = "AND"
    # words and phrases that matched on text fields, for ranking
    rank_terms: list[str] = dataclass_field(default_factory=list)
    # dismax: the fields a word without a field name searches (None: default_field)
    query_fields: list[str] | None = None
    # columns of ``d`` the SQL compiled so far reads (``fields``, ``signature``, ...)
    columns: set[str] = dataclass_field(default_factory=set)

    def column(self, name: str) -> str:
        """``d.<name>`` in SQL, noted among the columns read."""
        self.columns.add(name)
        return f"d.{name}"

    def compile_text(self, text: str) -> str:
        text = strip_local_params(text).strip()
        if not text:
            return "TRUE"
        return self.compile(parse(text))

    def compile_dismax(self, text: str, mm: str | None = None,
                       query_fields: list[str] | None = None) -> str:
        """A dismax/edismax ``q``: each word searches ``query_fields``, and of
        the optional words at least ``mm`` must match."""
        text = strip_local_params(text).strip()
        if not text or text in ("*:*", "*"):
            return "TRUE"
        previous = self.query_fields
        if query_fields and "text" not in query_fields:
            # ``text`` holds every other field's words: with it, one index lookup does.
            self.query_fields = query_fields
        try:
            node = parse(text)
            if isinstance(node, tree.UnknownOperation):
                return self._clauses(node, self.default_field, mm)
            return self.compile(node)
        finally:
            self.query_fields = previous

    def compile_words(self, text: str) -> str:
        """``text`` as plain words on the default field, its syntax ignored."""
        check_text(text)
        return self._text_match(self.default_field, text, phrase=False)

    def compile(self, node: tree.Item, field: str | None = None) -> str:
        field = field or self.default_field
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise QuerySyntaxError(tk._("unsupported query syntax: {syntax}")
                                   .format(syntax=node))
        return method(node, field)

    # -- structure --------------------------------------------------------
    def _SearchField(self, node: tree.SearchField, field: str) -> str:
        name = node.name
        if name == "*" and isinstance(node.expr, tree.Word) and node.expr.value == "*":
            return "TRUE"
        if not solr_fields.is_valid_name(name):
            raise QuerySyntaxError(unknown_field(name))
        return self.compile(node.expr, name)

    def _Group(self, node: tree.Group, field: str) -> str:
        return self.compile(node.expr, field)

    _FieldGroup = _Group

    def _Boost(self, node: tree.Boost, field: str) -> str:
        return self.compile(node.expr, field)

    def _Fuzzy(self, node: tree.Fuzzy, field: str) -> str:
        return self.compile(node.term, field)

    def _Proximity(self, node: tree.Proximity, field: str) -> str:
        return self.compile(node.term, field)

    def _Plus(self, node: tree.Plus, field: str) -> str:
        return self.compile(node.a, field)

    def _Not(self, node: tree.Not, field: str) -> str:
        return f"NOT ({self.compile(node.a, field)})"

    _Prohibit = _Not

    def _AndOperation(self, node: tree.AndOperation, field: str) -> str:
        return "(" + " AND ".join(self.compile(child, field) for child in node.children) + ")"

    def _OrOperation(self, node: tree.OrOperation, field: str) -> str:
        return "(" + " OR ".join(self.compile(child, field) for child in node.children) + ")"

    def _UnknownOperation(self, node: tree.UnknownOperation, field: str) -> str:
        return self._clauses(node, field)

    def _clauses(self, node: tree.UnknownOperation, field: str,
                 mm: str | None = None) -> str:
        # Lucene's implicit operator: + clauses must match, - clauses must not,
        # bare clauses follow q.op (all must match under AND; under OR at least
        # one must, unless a + clause is there to carry the match), or, for
        # dismax, the minimum match ``mm``.
        optional = [child for child in node.children
                    if not isinstance(child, (tree.Plus, tree.Prohibit))]
        has_must = any(isinstance(child, tree.Plus) for child in node.children)
        # How many bare clauses must match (0 with a + clause: they only rank).
        if mm is not None:
            required = min_should_match(mm, len(optional))
            if not has_must:
                required = max(required, 1)
        elif self.default_operator == "AND":
            required = len(optional)
        else:
            required = 0 if has_must else 1
        as_one_query = (1 < required < len(optional)
                        and math.comb(len(optional), required) * required <= _MAX_QUERY_TERMS
                        and self._words_only(optional, field))
        must, must_not, should, queries = [], [], [], []
        # In the query's order: the rank reads the words in it.
        for child in node.children:
            if isinstance(child, tree.Plus):
                must.append(self.compile(child.a, field))
            elif isinstance(child, tree.Prohibit):
                must_not.append(self.compile(child.a, field))
            elif as_one_query:
                queries.append(self._term_query(child))
            else:
                should.append(self.compile(child, field))
        if as_one_query:
            must.append(self._at_least_query(required, queries, field))
        elif required >= len(should):
            must, should = must + should, []
        elif required > 1:
            must.append(_at_least(required, should))
            should = []
        parts = list(must)
        if should and not must:
            parts.append("(" + " OR ".join(should) + ")")
        parts.extend(f"NOT ({clause})" for clause in must_not)
        return "(" + " AND ".join(parts or ["TRUE"]) + ")"

    # -- terms --------------------------------------------------------------
    def _Word(self, node: tree.Word, field: str) -> str:
        if self.query_fields and field == self.default_field:
            return self._in_query_fields(node)
        raw = node.value
        if raw == "*":
            return self._exists(field)
        kind = solr_fields.kind_of(field)
        if _WILDCARD_RE.search(raw):
            return self._wildcard(field, kind, raw)
        value = _unescape(raw)
        if field in solr_fields.NGRAM_FIELDS:
            return self._ngram_match(field, value)
        if kind == solr_fields.TEXT:
            return self._text_match(field, value, phrase=False)
        if kind in (solr_fields.DATE, solr_fields.NUMBER):
            return self._range(field, kind, value, value, True, True)
        return self._exact(field, value)

    def _Phrase(self, node: tree.Phrase, field: str) -> str:
        if self.query_fields and field == self.default_field:
            return self._in_query_fields(node)
        value = _unescape(node.value[1:-1])
        kind = solr_fields.kind_of(field)
        if field in solr_fields.NGRAM_FIELDS:
            return self._ngram_match(field, value)
        if kind == solr_fields.TEXT:
            return self._text_match(field, value, phrase=True)
        if kind in (solr_fields.DATE, solr_fields.NUMBER):
            return self._range(field, kind, value, value, True, True)
        return self._exact(field, value)

    def _Range(self, node: tree.Range, field: str) -> str:
        low, high = _bound_value(node.low), _bound_value(node.high)
        return self._range(field, solr_fields.kind_of(field), low, high,
                           node.include_low, node.include_high)

    def _From(self, node: tree.From, field: str) -> str:
        return self._range(field, solr_fields.kind_of(field), _bound_value(node.a), None,
                           node.include, True)

    def _To(self, node: tree.To, field: str) -> str:
        return self._range(field, solr_fields.kind_of(field), None, _bound_value(node.a),
                           True, node.include)

    def _in_query_fields(self, node: tree.Term) -> str:
        query_fields, self.query_fields = self.query_fields, None
        try:
            return "(" + " OR ".join(self.compile(node, name) for name in query_fields) + ")"
        finally:
            self.query_fields = query_fields

    # -- SQL for one field ---------------------------------------------------
    def _exists(self, field: str) -> str:
        if field == "text":
            return "TRUE"
        if _column(field) == "fields":
            # The index of field names answers it (migration 0009): the
            # GIN index of ``fields`` holds values, not names.
            return (f"(quebec_search_field_names({self.column('fields')})"
                    f" @> ARRAY[CAST({self.params.bind(field)} AS text)])")
        return f"({self.column('signature')} ? {self.params.bind(field)})"

    def _exact(self, field: str, value: str) -> str:
        document = json.dumps({field: [value]})
        return f"({self.column(_column(field))} @> CAST({self.params.bind(document)} AS jsonb))"

    def _text_match(self, field: str, value: str, phrase: bool) -> str:
        return self._text_condition(field, self._text_query(value, phrase))

    def _text_condition(self, field: str, query: str) -> str:
        # A query of stop words only matches everything, as Solr drops them.
        return f"(numnode({query}) = 0 OR {self._vector(field)} @@ {query})"

    def _text_query(self, value: str, phrase: bool) -> str:
        """The tsquery of words or a phrase, noted for ranking."""
        self.rank_terms.append(value)
        function = "quebec_search_phrase" if phrase else "quebec_search_words"
        return f"{function}({self.params.bind(value)})"

    def _words_only(self, optional: list[tree.Item], field: str) -> bool:
        """Whether ``optional`` are words and phrases on one text field."""
        return (not (self.query_fields and field == self.default_field)
                and field not in solr_fields.NGRAM_FIELDS
                and solr_fields.kind_of(field) == solr_fields.TEXT
                and all(_plain_term(child) is not None for child in optional))

    def _term_query(self, node: tree.Item) -> str:
        """The tsquery of a word or a phrase that :meth:`_words_only` accepted."""
        term = _plain_term(node)
        if isinstance(term, tree.Phrase):
            return self._text_query(_unescape(term.value[1:-1]), phrase=True)
        return self._text_query(_unescape(term.value), phrase=False)

    def _at_least_query(self, count: int, queries: list[str], field: str) -> str:
        """SQL true when ``count`` or more of the tsqueries ``queries`` match,
        as one tsquery on the text index.

        The OR of every ``count``-term AND (``quebec_search_at_least``,
        migration 0016, which makes each term's tsquery once) means the same
        as counting the terms that match (:func:`_at_least`), and the index
        answers it at once: counting, the planner reads every document that
        holds any of the words, and a common one (``et``, ``de``) is in most.
        A term of stop words only counts as matched, as in
        :meth:`_text_match`: the function leaves it out of each combination,
        and answers the empty tsquery (everything matches) when ``count`` of
        them are.
        """
        combined = (f"quebec_search_at_least(CAST(ARRAY[{', '.join(queries)}] AS tsquery[]),"
                    f" {int(count)})")
        return self._text_condition(field, combined)

    def _ngram_match(self, field: str, value: str) -> str:
        """``name_ngram:war``: the word is one of the n-grams Solr makes of the name.

        Solr splits the query at spaces and lower-cases it; each word of 2 to
        10 characters is a gram of the names it is part of. Several words form
        a phrase, which grams (one position each) never make.
        """
        words = value.lower().split()
        if len(words) != 1 or len(words[0]) not in solr_fields.NGRAM_SIZES:
            return "FALSE"
        source = solr_fields.NGRAM_FIELDS[field]
        # The source field's name is written out (not bound) so that its
        # trigram index (migration 0014) serves the match; it is one of two
        # names of ours, never the user's.
        self.columns.add("fields")
        return (f"(lower(quebec_search_field_text(d.fields, '{source}'))"
                f" LIKE {self.params.bind('%' + _like_escape(words[0]) + '%')})")

    def _vector(self, field: str) -> str:
        if field == "text":
            return self.column("search_text")
        text = f"quebec_search_field_text({self.column('fields')}, {self.params.bind(field)})"
        language = solr_fields.language_of(field)
        if language:
            return f"quebec_search_language_vector({self.params.bind(language)}, {text})"
        return f"quebec_search_vector({text})"

    def _wildcard(self, field: str, kind: str, raw: str) -> str:
        if kind == solr_fields.TEXT:
            return self._prefix_match(field, raw)
        pattern = _like_pattern(raw)
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({self.column('fields')} -> "
                f"{self.params.bind(field)}) AS e(value) "
                f"WHERE e.value LIKE {self.params.bind(pattern)})")

    def _prefix_match(self, field: str, raw: str) -> str:
        """``word*`` on a text field: lexemes starting with the word's letters."""
        head = raw.rstrip("*?")
        # Only letters and digits go into the tsquery text: its own syntax
        # (quotes, &, |, !, :) never comes from the user.
        words = _WORD_RE.findall(_unescape(head).lower())
        if _WILDCARD_RE.search(head):
            return self._wildcard_words(field, raw)
        if not words:
            return self._exists(field)
        tsquery = " & ".join(words) + ":*"
        return (f"({self._vector(field)} @@ "
                f"to_tsquery('simple', unaccent({self.params.bind(tsquery)})))")

    def _wildcard_words(self, field: str, raw: str) -> str:
        """``*word`` or ``w?rd*`` on a text field: a word of its text fits the pattern.

        No index serves a leading wildcard (Solr scans its terms too); this
        reads the field's values, or all of a dataset's values for ``text``.
        """
        pattern = _word_regex(raw)
        if pattern is None:
            return self._exists(field)
        regex = self.params.bind(pattern)
        if field == "text":
            return f"(lower(unaccent({self.column('fields')}::text)) ~ {regex})"
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({self.column('fields')} -> "
                f"{self.params.bind(field)}) AS e(value) "
                f"WHERE lower(unaccent(e.value)) ~ {regex})")

    def _range(self, field: str, kind: str, low: str | None, high: str | None,
               include_low: bool, include_high: bool) -> str:
        element = "e.value"
        if kind == solr_fields.DATE:
            element = "quebec_search_try_timestamp(e.value)"
            convert = _date_bound
        elif kind == solr_fields.NUMBER:
            element = "quebec_search_try_number(e.value)"
            convert = _number_bound
        else:
            convert = str
        conditions = []
        if low is not None:
            operator = ">=" if include_low else ">"
            conditions.append(f"{element} {operator} {self.params.bind(convert(low))}")
        if high is not None:
            operator = "<=" if include_high else "<"
            conditions.append(f"{element} {operator} {self.params.bind(convert(high))}")
        if not conditions:
            return self._exists(field)
        if kind == solr_fields.STRING or kind == solr_fields.TEXT:
            conditions = [f'{c} COLLATE "C"' for c in conditions]
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({self.column('fields')} -> "
                f"{self.params.bind(field)}) AS e(value) WHERE {' AND '.join(conditions)})")


def _column(field: str) -> str:
    """The jsonb column that holds ``field``: the narrow signature where it is one of it."""
    return "signature" if field in solr_fields.SIGNATURE_FIELDS else "fields"


def _at_least(count: int, clauses: list[str]) -> str:
    """SQL true when ``count`` or more of ``clauses`` hold.

    The OR in front lets the planner narrow the rows with the indexes before
    counting.
    """
    tally = " + ".join(f"(CASE WHEN {clause} THEN 1 ELSE 0 END)" for clause in clauses)
    return f"(({' OR '.join(clauses)}) AND ({tally}) >= {int(count)})"


def _plain_term(node: tree.Item) -> tree.Word | tree.Phrase | None:
    """The word or phrase ``node`` is (boosted or not), if it compiles to a
    plain text match: no wildcard, no field, no range."""
    if isinstance(node, tree.Boost):
        node = node.expr
    if isinstance(node, tree.Phrase):
        return node
    if isinstance(node, tree.Word) and not _WILDCARD_RE.search(node.value):
        return node
    return None


def _unescape(text: str) -> str:
    return _UNESCAPE_RE.sub(r"\1", text)


def _bound_value(node: tree.Item) -> str | None:
    value = node.value if isinstance(node, tree.Term) else str(node)
    if isinstance(node, tree.Phrase):
        value = value[1:-1]
    if value == "*":
        return None
    return _unescape(value)


def _date_bound(text: str):
    try:
        return datemath.parse(text)
    except (ValueError, OverflowError) as error:  # DateMathError, and dates past year 9999
        raise QuerySyntaxError(tk._("not a valid date: {value}").format(value=text)) from error


def _number_bound(text: str) -> float:
    try:
        return float(text)
    except ValueError as error:
        raise QuerySyntaxError(tk._("not a valid number: {value}").format(value=text)) from error


def _word_regex(raw: str) -> str | None:
    """A Lucene wildcard term as a PostgreSQL regular expression over whole words.

    Letters and digits are kept (lower-cased, accents folded by the caller's
    unaccent on the text side and NFKD here); * and ? become word characters;
    anything else is dropped, so no regex syntax comes from the user.
    None when the term holds no letter or digit.
    """
    out: list[str] = []
    escaped = False
    for char in raw:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
            continue
        elif char == "*":
            if not out or out[-1] != "\\w*":
                out.append("\\w*")
            continue
        elif char == "?":
            out.append("\\w")
            continue
        folded = unicodedata.normalize("NFKD", char.lower()).encode("ascii", "ignore").decode()
        out.extend(c for c in folded if c.isalnum())
    if not any(part.isalnum() for part in out):
        return None
    return "\\m" + "".join(out) + "\\M"


def _like_escape(text: str) -> str:
    """``text`` matched literally in a LIKE pattern."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def _like_pattern(raw: str) -> str:
    """A Lucene wildcard term as a LIKE pattern (* → %, ? → _)."""
    out = []
    escaped = False
    for char in raw:
        if escaped:
            out.append("\\" + char if char in "%_\\" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in "%_":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)
