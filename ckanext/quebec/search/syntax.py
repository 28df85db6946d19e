"""Reading Solr/Lucene query text: the checks every query passes, Lucene's operators, ``mm``, ``qf``, and the parse.

The parse gives luqum's syntax tree, which lucene.py compiles into SQL.
"""
from __future__ import annotations

import re
import threading

import ckan.plugins.toolkit as tk
from luqum import tree
from luqum.parser import parser

from . import fields as solr_fields


class QuerySyntaxError(ValueError):
    """The query cannot be understood; Solr would answer with a SyntaxError."""


class MisplacedOperatorError(QuerySyntaxError):
    """Two of ``+``, ``-`` and ``NOT`` on one clause (``--word``): Lucene's grammar
    allows one, and Solr refuses the query, where luqum reads a double negation."""


# luqum's PLY parser keeps state in the parser object: one parse at a time.
_PARSE_LOCK = threading.Lock()
_LOCAL_PARAMS_RE = re.compile(r"^\s*\{![^}]*\}")
# Solr's dismax drops operators that follow one another after a space, and
# operators left at the end (SolrPluginUtils.stripIllegalOperators).
_CONSECUTIVE_OPERATORS_RE = re.compile(r"\s+[+-](?:\s*[+-]+)+")
_DANGLING_OPERATORS_RE = re.compile(r"\s+[-+\s]+$")
_UNESCAPED_WILDCARD_RE = re.compile(r"(?<!\\)[*?]")
_MODIFIERS = (tree.Plus, tree.Prohibit, tree.Not)
MAX_QUERY_LENGTH = 10_000
# The trees of the texts this process parsed (a cache: cleared when full).
_MAX_PARSED = 1024
_parsed: dict[str, tree.Item] = {}


def strip_local_params(text: str) -> str:
    """Drop a leading ``{!tag=...}`` local-params block, accepted and ignored."""
    return _LOCAL_PARAMS_RE.sub("", text, count=1)


def check_text(text: str) -> None:
    """Refuse what no query may hold, whatever its syntax."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(tk._("the query is longer than {limit} characters")
                               .format(limit=MAX_QUERY_LENGTH))
    if "\x00" in text:
        # PostgreSQL text cannot hold it: the driver would fail, not the query.
        raise QuerySyntaxError(tk._("the query contains a NUL character"))


def normalize_operators(text: str) -> str:
    """Lucene's symbolic operators ``&&``, ``||`` and ``!`` as the words luqum reads.

    luqum takes them for words; outside quoted phrases and escapes they become
    AND, OR and NOT, as Lucene's classic parser reads them.
    """
    out: list[str] = []
    position, length = 0, len(text)
    in_phrase = False
    while position < length:
        char = text[position]
        if char == "\\":
            out.append(text[position:position + 2])
            position += 2
            continue
        if char == '"':
            in_phrase = not in_phrase
        elif not in_phrase:
            pair = text[position:position + 2]
            if pair in ("&&", "||"):
                out.append(" AND " if pair == "&&" else " OR ")
                position += 2
                continue
            if char == "!" and (position == 0 or text[position - 1] in " \t\r\n("):
                out.append("NOT ")
                position += 1
                continue
        out.append(char)
        position += 1
    return "".join(out)


def min_should_match(spec: str | None, optional: int) -> int:
    """How many of ``optional`` clauses must match under Solr's ``mm`` ``spec``.

    Solr's syntax: ``3``, ``-1``, ``75%``, ``-25%``, and conditions such as
    CKAN's ``2<-1 5<80%`` (up to 2 clauses all must match; 3 to 5, all but
    one; more, 80% of them).
    """
    if optional <= 0:
        return 0
    spec = (spec or "").strip()
    if not spec:
        return optional
    try:
        if "<" in spec:
            result = optional
            conditions = sorted(
                (int(limit), rule) for limit, rule in
                (part.split("<", 1) for part in spec.split()))
            for limit, rule in conditions:
                value = _mm_value(rule, optional)  # checked even when unused
                if optional > limit:
                    result = value
            return max(0, min(result, optional))
        return max(0, min(_mm_value(spec, optional), optional))
    except ValueError as error:
        raise QuerySyntaxError(tk._("not a valid mm (minimum match): {value}")
                               .format(value=spec)) from error


def _mm_value(rule: str, optional: int) -> int:
    rule = rule.strip()
    if rule.endswith("%"):
        percent = int(rule[:-1])
        amount = optional * abs(percent) // 100
        return optional - amount if percent < 0 else amount
    number = int(rule)
    return optional + number if number < 0 else number


def parse_query_fields(qf: str | None) -> list[str]:
    """The field names of a dismax ``qf`` (``"name^4 title^4 text"``)."""
    names = []
    for part in (qf or "").split():
        name = part.split("^", 1)[0]
        if not solr_fields.is_valid_name(name):
            raise QuerySyntaxError(unknown_field(name))
        names.append(name)
    return names


def strip_illegal_operators(text: str) -> str:
    """``text`` as Solr's dismax parser reads it: operators in a row after a space, and
    at the end, dropped."""
    return _DANGLING_OPERATORS_RE.sub("", _CONSECUTIVE_OPERATORS_RE.sub(" ", text))


def escape_wildcards(text: str) -> str:
    """``text`` with its ``*`` and ``?`` escaped, as Solr's dismax parser escapes them
    (SolrPluginUtils.partialEscape): plain words, which the text analysis then cuts at them."""
    if text.strip() == "*":
        return text
    return _UNESCAPED_WILDCARD_RE.sub(r"\\\g<0>", text)


def parse(text: str) -> tree.Item:
    """luqum's tree of ``text``, which its readers never change.

    Every search parses CKAN's same few filters (capacity, site, permission
    labels) and often the same q: PLY's parse was 0.6 of the 1 ms a search
    took to plan itself, so this process keeps the trees it made. A text
    that fails is parsed again each time (its message in the reader's
    language).
    """
    check_text(text)
    node = _parsed.get(text)
    if node is None:
        node = _parse(normalize_operators(text))
        if len(_parsed) >= _MAX_PARSED:
            _parsed.clear()
        _parsed[text] = node
    return node


def _parse(text: str) -> tree.Item:
    with _PARSE_LOCK:
        try:
            node = parser.parse(text)
        except Exception as error:  # ParseError, RecursionError, and luqum's bare errors
            raise QuerySyntaxError(_syntax_error_message()) from error
    _check_modifiers(node)
    return node


def _syntax_error_message() -> str:
    return tk._("unbalanced parentheses or quotes, or a misplaced operator")


def _check_modifiers(node: tree.Item) -> None:
    """Refuse a modifier (+, -, NOT) on a modifier, as Lucene's grammar does."""
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, _MODIFIERS) and isinstance(item.children[0], _MODIFIERS):
            raise MisplacedOperatorError(_syntax_error_message())
        pending.extend(item.children)


def unknown_field(name: str) -> str:
    return tk._("unknown field name: {field}").format(field=name)
