"""A Solr request's options as read here, and Solr's errors for bad ones.

Shared by the query plan, the facets, the page and the connection facade:
each reads options and reports mistakes the way Solr would, through a
``pysolr.SolrError`` that CKAN answers with its "Search error" (HTTP 409).
"""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy as sa

from .lucene import Compiler, QuerySyntaxError

QUERY_CANCELED = "57014"  # PostgreSQL's error code for a statement stopped by its timeout
UNDEFINED_TABLE = "42P01"

_READ_OPTIONS = ("SELECT set_config('random_page_cost', '1.1', true),"
                 " set_config('statement_timeout', :_timeout, true)")


def set_read_options(connection: sa.engine.Connection, also: str | None = None,
                     params: dict[str, Any] | None = None) -> Any:
    """The settings of a search's transaction, in one statement.

    The index is read from memory more than from disk: without the lower
    random_page_cost the planner prefers reading every row to the text and
    date indexes. Each statement stops after CKAN's ``solr_timeout``.
    ``also``, a SQL expression (its ``params`` bound), is read by the same
    statement and its value returned: a round trip less for the search.
    """
    seconds = timeout_seconds()
    timeout = f"{max(1, round(seconds * 1000))}ms" if seconds > 0 else "0"
    row = connection.execute(_read_options_statement(also),
                             {**(params or {}), "_timeout": timeout}).one()
    return row[2] if also else None


@functools.lru_cache(maxsize=16)
def _read_options_statement(also: str | None) -> sa.TextClause:
    return sa.text(_READ_OPTIONS + (f", {also}" if also else ""))


def timeout_seconds() -> float:
    """CKAN's ``solr_timeout`` (seconds; a fraction is taken too), 0 or less for none."""
    return float(tk.config.get("solr_timeout") or 0)


def refuse_nul(q: Any, options: dict[str, Any]) -> None:
    """Solr refuses a NUL character in a request; PostgreSQL cannot take one in text."""
    for value in (q, *options.values()):
        if any("\x00" in item for item in as_list(value)):
            raise invalid(tk._("the query contains a NUL character"))


def invalid(detail: str) -> pysolr.SolrError:
    # CKAN turns a SolrError into its "Search error" answer (HTTP 409), as it
    # does for the syntax errors of a real Solr.
    return pysolr.SolrError(tk._("Invalid search query: {detail}").format(detail=detail))


def database_message(error: sa.exc.DBAPIError) -> str:
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "message_primary", None) or type(error.orig).__name__


def compile_or_raise(compiler: Compiler, text: str, plain_words: bool = False) -> str:
    try:
        if plain_words:
            return compiler.compile_words(text)
        return compiler.compile_text(text)
    except QuerySyntaxError as error:
        raise invalid(str(error)) from error


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def int_option(options: dict[str, Any], key: str, default: Any) -> int:
    try:
        return int(options.get(key, default))
    except (TypeError, ValueError) as error:
        raise invalid(tk._("not a valid number: {value}").format(value=options.get(key))) from error
