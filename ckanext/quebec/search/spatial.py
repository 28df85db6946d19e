"""Solr function queries, as ckanext-spatial's ``solr-bbox`` backend sends them, in SQL.

spatial_query indexes each dataset's envelope as the numbers ``minx``, ``miny``,
``maxx`` and ``maxy`` and, for ``ext_bbox``, sends one overlap function twice:
as a filter, ``fq={!frange incl=false l=0 u=1}div(mul(...),add(...))``, and as
the edismax boost ``bf`` that ranks by it. Both are compiled here from the
function's syntax tree, every number a bound parameter, so the overlap ratio is
computed as Solr computes it, whatever the bbox. Field names come from a small
grammar (``[A-Za-z_][A-Za-z0-9_]*``) and reach SQL bound, as in lucene.py.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Union

import ckan.plugins.toolkit as tk

from . import fields as solr_fields
from .lucene import Params, QuerySyntaxError, check_text

_FRANGE_RE = re.compile(r"^\s*\{!frange(?P<params>[^}]*)\}(?P<function>.*)$", re.S)
_LOCAL_PARAM_RE = re.compile(r"\s*([A-Za-z_.]+)\s*=\s*('[^']*'|\"[^\"]*\"|[^\s'\"]+)")
_TOKEN_RE = re.compile(r"\s*(?:(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
                       r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(),]))")
_BOOST_RE = re.compile(r"^(?P<function>.+?)(?:\^(?P<weight>\d+(?:\.\d*)?|\.\d+))?$", re.S)
_MAX_DEPTH = 50

# Solr's function names (and their aliases) that ckanext-spatial and similar
# extensions use, with how many arguments each takes (None: two or more).
_FUNCTIONS: dict[str, tuple[str, int | None]] = {
    "sum": ("sum", None), "add": ("sum", None),
    "product": ("product", None), "mul": ("product", None),
    "sub": ("sub", 2), "div": ("div", 2),
    "min": ("min", None), "max": ("max", None),
    "abs": ("abs", 1),
}

# Local params of {!frange} that change nothing here.
_IGNORED_LOCAL_PARAMS = {"tag", "cache", "cost"}


@dataclass(frozen=True)
class _Call:
    function: str
    args: tuple["_Node", ...]


_Node = Union[float, str, _Call]


def is_function_range(text: str) -> bool:
    """Whether ``text`` is a ``{!frange ...}`` filter."""
    return bool(_FRANGE_RE.match(text))


def function_range_condition(text: str, params: Params) -> str:
    """A ``{!frange l=.. u=.. incl=.. incu=..}function`` filter as a SQL condition.

    Raises :class:`QuerySyntaxError` for what Solr would refuse.
    """
    check_text(text)
    match = _FRANGE_RE.match(text)
    if not match:
        raise QuerySyntaxError(tk._("not a function range query"))
    local = _local_params(match.group("params"))
    function = _parse(match.group("function"))
    reads: dict[str, str] = {}
    value = _sql(function, params, reads)
    # A NULL value (a division by zero, where Solr has Infinity or NaN)
    # fails every comparison, as NaN does in Solr.
    conditions = []
    for key, operators in (("l", (">=", ">")), ("u", ("<=", "<"))):
        if key in local:
            inclusive = _flag(local, "incl" if key == "l" else "incu")
            bound = params.bind(_number(local[key]))
            conditions.append(f"{_VALUE} {operators[0] if inclusive else operators[1]} "
                              f"CAST({bound} AS float8)")
    if not conditions:
        conditions.append(f"{_VALUE} IS NOT NULL")
    conditions = [_on_fields_once(" AND ".join(conditions), value, reads, params)]
    prefilter = _overlap_prefilter(function, local, params)
    if prefilter:
        conditions.insert(0, prefilter)
    return "(" + " AND ".join(conditions) + ")"


def boost_expression(bf: Any, params: Params) -> str | None:
    """Solr's additive boost functions (``bf``) as one SQL number, or None."""
    if not bf:
        return None
    texts = bf if isinstance(bf, (list, tuple)) else [bf]
    terms: list[str] = []
    reads: dict[str, str] = {}
    for text in texts:
        check_text(str(text))
        for part in _top_level_parts(str(text)):
            match = _BOOST_RE.match(part)
            value = _sql(_parse(match.group("function")), params, reads)
            # A division by zero (NaN or Infinity on Solr) adds nothing.
            term = f"COALESCE({value}, 0)"
            if match.group("weight"):
                term = f"({term} * CAST({params.bind(float(match.group('weight')))} AS float8))"
            terms.append(term)
    return _on_fields_once(_VALUE, " + ".join(terms), reads, params) if terms else None


# -- parsing ---------------------------------------------------------------------
def _top_level_parts(text: str) -> list[str]:
    """``bf``'s functions: split at spaces outside parentheses."""
    parts, current, depth = [], [], 0
    for char in text:
        if char.isspace() and depth == 0:
            if current:
                parts.append("".join(current))
                current = []
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current.append(char)
    if current:
        parts.append("".join(current))
    return parts


def _local_params(text: str) -> dict[str, str]:
    local: dict[str, str] = {}
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _LOCAL_PARAM_RE.match(text, position)
        if not match:
            raise QuerySyntaxError(tk._("invalid local parameters: {params}")
                                   .format(params=text))
        key, value = match.group(1), match.group(2).strip("'\"")
        if key not in ("l", "u", "incl", "incu") and key not in _IGNORED_LOCAL_PARAMS:
            raise QuerySyntaxError(tk._("unsupported local parameter: {name}")
                                   .format(name=key))
        local[key] = value
        position = match.end()
    return local


def _flag(local: dict[str, str], key: str) -> bool:
    value = local.get(key, "true").lower()
    if value not in ("true", "false"):
        raise QuerySyntaxError(tk._("not a valid boolean: {value}").format(value=value))
    return value == "true"


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError as error:
        raise QuerySyntaxError(tk._("not a valid number: {value}").format(value=text)) from error
    if not math.isfinite(value):
        raise QuerySyntaxError(tk._("not a valid number: {value}").format(value=text))
    return value


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if not match or match.end() == position:
            raise _invalid_function(text)
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> _Node:
    """The syntax tree of a function (immutable, so shared): solr-bbox sends
    the same function as the filter and as the boost of one search."""
    tokens = _tokens(text)
    node, position = _parse_node(tokens, 0, 0, text)
    if position != len(tokens):
        raise _invalid_function(text)
    return node


def _invalid_function(text: str) -> QuerySyntaxError:
    return QuerySyntaxError(tk._("invalid function query: {function}").format(function=text))


def _parse_node(tokens: list[tuple[str, str]], position: int, depth: int,
                text: str) -> tuple[_Node, int]:
    if position >= len(tokens) or depth > _MAX_DEPTH:
        raise _invalid_function(text)
    kind, value = tokens[position]
    if kind == "number":
        return _number(value), position + 1
    if kind != "name":
        raise _invalid_function(text)
    if position + 1 >= len(tokens) or tokens[position + 1] != ("punct", "("):
        if not solr_fields.is_valid_name(value):
            raise _invalid_function(text)
        return value, position + 1
    if value not in _FUNCTIONS:
        raise QuerySyntaxError(tk._("unsupported function: {function}").format(function=value))
    function, arity = _FUNCTIONS[value]
    args: list[_Node] = []
    position += 2
    while True:
        arg, position = _parse_node(tokens, position, depth + 1, text)
        args.append(arg)
        if position >= len(tokens):
            raise _invalid_function(text)
        if tokens[position] == ("punct", ","):
            position += 1
            continue
        if tokens[position] == ("punct", ")"):
            position += 1
            break
        raise _invalid_function(text)
    if (arity is not None and len(args) != arity) or (arity is None and len(args) < 2):
        raise QuerySyntaxError(tk._("wrong number of arguments for {function}")
                               .format(function=value))
    return _Call(function, tuple(args)), position


# -- SQL -------------------------------------------------------------------------
# A function is computed once per document, in three nested sub-selects
# (OFFSET 0 keeps PostgreSQL from folding each back into every reference):
# the document's ``fields`` column (compressed in the row, 0004), decompressed
# once (``|| '{}'`` returns the value decompressed); each field the function
# reads, as a number, once (solr-bbox's function reads four fields, eight
# times); then the function's value, ``v``, which the condition or the boost
# reads. At 10,000 datasets, solr-bbox's filter and boost with every number
# read where the function names it cost 2.3 ms of a 3.9 ms statement.
_FIELDS_ONCE = "(SELECT d.fields || '{}'::jsonb AS fields OFFSET 0) AS f"
_VALUE = "v.value"


def _on_fields_once(outer: str, value: str, reads: dict[str, str], params: Params) -> str:
    """``outer`` (over ``v.value``, the function ``value`` over the numbers ``reads``
    names) for the document ``d``, as one SQL value."""
    numbers = ", ".join(
        # Solr reads a numeric field a document lacks as 0.
        f"COALESCE(quebec_search_try_number(f.fields -> {params.bind(name)} ->> 0), 0) AS {alias}"
        for name, alias in reads.items()) or "0 AS n_"
    return (f"(SELECT {outer} FROM (SELECT {value} AS value FROM (SELECT {numbers}"
            f" FROM {_FIELDS_ONCE} OFFSET 0) AS n OFFSET 0) AS v)")


def _sql(node: _Node, params: Params, reads: dict[str, str]) -> str:
    """The SQL of ``node`` over ``n``, the numbers of the fields it reads (added to ``reads``)."""
    if isinstance(node, float):
        return f"CAST({params.bind(node)} AS float8)"
    if isinstance(node, str):
        return "n." + reads.setdefault(node, f"n{len(reads)}")
    args = [_sql(arg, params, reads) for arg in node.args]
    if node.function == "sum":
        return "(" + " + ".join(args) + ")"
    if node.function == "product":
        return "(" + " * ".join(args) + ")"
    if node.function == "sub":
        return f"({args[0]} - {args[1]})"
    if node.function == "div":
        # Solr divides by zero into Infinity or NaN; NULL is what frange and
        # bf make of those here (no match, nothing added).
        return f"({args[0]} / NULLIF({args[1]}, 0))"
    if node.function == "min":
        return f"LEAST({', '.join(args)})"
    if node.function == "max":
        return f"GREATEST({', '.join(args)})"
    return f"abs({args[0]})"


# -- the solr-bbox overlap -------------------------------------------------------
def _overlap_prefilter(function: _Node, local: dict[str, str], params: Params) -> str | None:
    """The box overlap implied by a positive solr-bbox overlap ratio.

    The ratio is 2 * intersection / (query area + envelope area); when the
    filter asks for it to be above 0 the envelopes must overlap, which the
    index on quebec_search_bbox answers without computing the ratio for every
    dataset. The function must be exactly the one solr-bbox sends. (A
    document lacking some of the four numbers is left out, where Solr would
    read them as 0; spatial always indexes all four.)
    """
    bbox = _overlap_bbox(function)
    if bbox is None or "l" not in local:
        return None
    lower = _number(local["l"])
    if lower < 0 or (lower == 0 and _flag(local, "incl")):
        return None
    minx, miny, maxx, maxy = (f"CAST({params.bind(value)} AS float8)" for value in bbox)
    # quebec_search_bbox and its GiST index: migration 0003_spatial_bbox_index.
    return (f"quebec_search_bbox(d.fields) && "
            f"box(point({minx}, {miny}), point({maxx}, {maxy}))")


def _overlap_bbox(node: _Node) -> tuple[float, float, float, float] | None:
    """The query bbox (minx, miny, maxx, maxy) if ``node`` is solr-bbox's ratio."""
    def call(item, function, count):
        return isinstance(item, _Call) and item.function == function and len(item.args) == count

    def side(item, low, high):
        # max(0, sub(min(<input high>, high), max(<input low>, low)))
        if not (call(item, "max", 2) and item.args[0] == 0.0 and call(item.args[1], "sub", 2)):
            return None
        upper, lower = item.args[1].args
        if not (call(upper, "min", 2) and call(lower, "max", 2)
                and isinstance(upper.args[0], float) and upper.args[1] == high
                and isinstance(lower.args[0], float) and lower.args[1] == low):
            return None
        return lower.args[0], upper.args[0]

    if not (call(node, "div", 2) and call(node.args[0], "product", 2)
            and node.args[0].args[1] == 2.0 and call(node.args[0].args[0], "product", 2)):
        return None
    x_side, y_side = node.args[0].args[0].args
    xs, ys = side(x_side, "minx", "maxx"), side(y_side, "miny", "maxy")
    if xs is None or ys is None:
        return None
    return xs[0], ys[0], xs[1], ys[1]
