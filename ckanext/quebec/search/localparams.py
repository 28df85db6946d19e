"""Solr's local parameters at the head of q or fq (``{!bool must=bees}``): read, and compiled.

CKAN lets through the query parsers ``ckan.search.solr_allowed_query_parsers``
names. Without a parser name (``{!tag=x}``, ``{!ex=x}``) or with ``lucene``
the query is read as before; ``bool`` combines its ``must``, ``should``,
``must_not`` and ``filter`` queries as Solr's BoolQParser does; a parser
this backend does not have is refused, as Solr refuses an unknown one,
rather than its parameters dropped (which would match everything).
"""
from __future__ import annotations

import re
from typing import Callable, NamedTuple

import ckan.plugins.toolkit as tk

from .syntax import QuerySyntaxError

_HEAD_RE = re.compile(r"^\s*\{!(?P<params>[^}]*)\}(?P<rest>.*)$", re.S)
_PAIR_RE = re.compile(r"\s*(?P<key>[A-Za-z_.]+)\s*=\s*"
                      r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s'\"]+)")
_NAME_RE = re.compile(r"\s*(?P<name>[A-Za-z_.]+)(?=\s|$)")
# Query parsers read here; frange is read by spatial.py, as a filter.
LUCENE, BOOL, DISMAX, EDISMAX, FRANGE = "lucene", "bool", "dismax", "edismax", "frange"
_BOOL_CLAUSES = ("must", "should", "must_not", "filter")


class LocalParams(NamedTuple):
    parser: str | None  # the query parser named, None when none is
    pairs: tuple[tuple[str, str], ...]  # key=value, in order (a key may repeat)
    rest: str  # the text after the closing brace

    def values(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name == key]

    @property
    def query(self) -> str:
        """The parser's query: ``v=`` when given, else the text after the brace."""
        given = self.values("v")
        return given[-1] if given else self.rest


def read(text: str) -> LocalParams:
    """The local parameters at the head of ``text`` (none: parser None, ``text`` as rest)."""
    match = _HEAD_RE.match(text)
    if not match:
        return LocalParams(None, (), text)
    body, position = match.group("params").rstrip(), 0
    parser = None
    name = _NAME_RE.match(body)
    if name:
        # {!bool ...}: a bare first word names the parser (as type= does).
        parser, position = name.group("name"), name.end()
    pairs = []
    while position < len(body):
        pair = _PAIR_RE.match(body, position)
        if not pair:
            raise QuerySyntaxError(tk._("invalid local parameters: {params}")
                                   .format(params=body))
        value = pair.group("value")
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        pairs.append((pair.group("key"), value))
        position = pair.end()
    params = LocalParams(parser, tuple(pairs), match.group("rest"))
    if parser is None and params.values("type"):
        params = params._replace(parser=params.values("type")[-1])
    return params


def compile_bool(params: LocalParams, compile_query: Callable[[str], str]) -> str:
    """SQL for a ``{!bool ...}`` query; any other parser (but those plan.py reads) is refused.

    ``compile_query`` compiles each clause, which may have local params of its own.
    """
    if params.parser != BOOL:
        raise QuerySyntaxError(tk._("unsupported query syntax: {syntax}")
                               .format(syntax="{!" + str(params.parser) + "}"))
    clauses = {kind: [compile_query(value) for value in params.values(kind) if value.strip()]
               for kind in _BOOL_CLAUSES}
    required = clauses["must"] + clauses["filter"]
    if clauses["should"] and not required:
        # Lucene: with no required clause, at least one optional one must match.
        required.append("(" + " OR ".join(clauses["should"]) + ")")
    excluded = [f"NOT ({clause})" for clause in clauses["must_not"]]
    if not required and not excluded:
        return "FALSE"  # an empty BooleanQuery matches nothing
    # A purely negative query matches every other document, as Solr makes it.
    return "(" + " AND ".join(required + excluded) + ")"
