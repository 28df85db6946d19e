"""A pysolr-compatible connection whose index lives in PostgreSQL.

CKAN's search layer (ckan.lib.search) builds Solr documents and Solr queries
and hands them to a pysolr connection. Answering that same conversation keeps
every line of CKAN's own logic in play — document building, before_dataset_index,
permission labels, fq assembly, result post-processing — so package_search
behaves here as it does on Solr, on CKAN 2.11 and 2.12 alike.

This module is the facade; the work is done by writer.py (documents in),
plan.py (a request as SQL), segments.py (conditions the segments answer),
facets.py and single_pass.py (counting), documents.py (the page out).
"""
from __future__ import annotations

from typing import Any, Iterable

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy as sa

from ckan.lib.search.common import SearchIndexError, solr_datetime_decoder
from ckan.model import ensure_engine

from . import parallel, postings_read, result_cache, segments, writer
from .counted import counted_among
from .documents import Results, documents, page_keys
from .facets import FacetRequest, counted_facets, valid_facet_fields, with_zero_counts
from .lucene import Compiler, Params
from .options import (QUERY_CANCELED, UNDEFINED_TABLE, compile_or_raise, database_message,
                      invalid, refuse_nul, set_read_options, timeout_seconds)
from .plan import QueryPlan, interface_language
from .single_pass import single_pass

# The names other modules and tests import from here.
from .segments import segment_keys  # noqa: E402,F401
from .writer import analyze_index, bulk_writes, flush_bulk  # noqa: F401
from .writer import row_for as _row_for  # noqa: F401

__all__ = ["PostgresSolr", "Results", "analyze_index", "bulk_writes", "flush_bulk",
           "interface_language", "segment_keys", "set_read_options"]


class PostgresSolr:
    """Stands in for ``pysolr.Solr`` against the quebec_search_document table."""

    url = "postgresql:quebec_search_document"

    def __init__(self, *args: Any, decode_dates: bool = False, **kwargs: Any) -> None:
        self.engine = ensure_engine()
        # make_connection(decode_dates=True): dates come back as datetimes,
        # as CKAN's JSON decoder for Solr gives them.
        self.decode_dates = decode_dates

    # -- writing -------------------------------------------------------------
    def add(self, docs: Iterable[dict[str, Any]], commit: bool = True, **kwargs: Any) -> None:
        try:
            rows = [writer.row_for(doc) for doc in docs]
        except SearchIndexError:
            raise
        except Exception as error:  # CKAN 2.11 would commit the dataset anyway (writer.py)
            raise SearchIndexError(writer.failure_message(error)) from error
        writer.add(self.engine, rows, commit)

    def delete(self, id: Any = None, q: str | None = None, commit: bool = True,
               **kwargs: Any) -> None:
        params = Params()
        if id is not None:
            ids = id if isinstance(id, (list, tuple)) else [id]
            condition = f"d.index_id = ANY({params.bind(list(ids))})"
        elif q is not None:
            condition = compile_or_raise(Compiler(params), q)
        else:
            raise ValueError("delete needs an id or a query")
        # A removal comes after the additions held back before it.
        writer.flush_bulk(self.engine)
        writer.guarded(self.engine, lambda connection: connection.execute(
            sa.text(f"DELETE FROM quebec_search_document d WHERE {condition}"), params.values))

    def commit(self, **kwargs: Any) -> None:
        """Write what a rebuild holds back; other writes are committed as they happen."""
        writer.flush_bulk(self.engine)

    def optimize(self, **kwargs: Any) -> None:
        """PostgreSQL maintains its indexes itself (autovacuum)."""

    # -- reading -------------------------------------------------------------
    def search(self, q: str | None = None, **kwargs: Any) -> Results:
        refuse_nul(q, kwargs)
        try:
            results = self._search(q, kwargs)
        except sa.exc.ProgrammingError as error:
            if getattr(error.orig, "pgcode", None) != UNDEFINED_TABLE:
                raise
            # The partitions this process read (trusted for a minute) were
            # changed by another process (a migration): read them again.
            parallel.reset()
            results = self._search(q, kwargs)
        if self.decode_dates:
            for doc in results.docs:
                _decode_dates(doc)
        return results

    def _search(self, q: str | None, kwargs: dict[str, Any]) -> Results:
        key = result_cache.request_key(self.engine.url, q, kwargs, interface_language())
        try:
            with self.engine.connect() as connection:
                return result_cache.answer(
                    connection, key, lambda: _answer(connection, QueryPlan(q, kwargs)))
        except sa.exc.DataError as error:
            # A value PostgreSQL refuses (a number beyond bigint, ...) is the
            # searcher's mistake, as it would be for Solr: a search error.
            raise invalid(database_message(error)) from error
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "pgcode", None) != QUERY_CANCELED:
                raise
            # Solr's answer would not come within solr_timeout either: CKAN
            # turns the SolrError into its "Search error" (HTTP 409).
            raise pysolr.SolrError(tk._(
                "The search took longer than {seconds} s and was stopped").format(
                    seconds=f"{timeout_seconds():g}")) from error


def _decode_dates(value: Any) -> None:
    """Each dict within ``value`` through CKAN's decoder, inner ones first, as
    its JSON ``object_hook`` sees them."""
    children = value.values() if isinstance(value, dict) else value
    for child in children:
        if isinstance(child, (dict, list)):
            _decode_dates(child)
    if isinstance(value, dict):
        solr_datetime_decoder(value)


def _answer(connection: sa.engine.Connection, plan: QueryPlan) -> Results:
    """The count, facets and page of ``plan``, read the cheapest of four ways."""
    names = plan.facet_names
    # The read options set by the statement that reads the counted fields.
    counted = counted_among(connection, valid_facet_fields(names) if names else [],
                            read_options=True)
    facets = FacetRequest(plan.options, names, counted)
    matched: segments.Segments | None = None
    docs = None  # the page's documents, when read with it
    if plan.on_signature_only and all(name in counted for name in names):
        # Filters on signature fields only: the few segments answer them and
        # the documents are picked by their whole signature.
        matched = segments.matching(connection, plan)
        where, where_params = segments.by_signature(matched)
        if plan.faceted:
            count, facet_fields = counted_facets(connection, facets, matched.ids)
        else:
            count = connection.execute(sa.text(
                "SELECT coalesce(sum(documents), 0) FROM quebec_search_segment"
                " WHERE id = ANY(:_segments)"), {"_segments": matched.ids}).scalar_one()
            facet_fields = {}
        page = page_keys(connection, plan, where, where_params, count)
    elif plan.faceted or plan.ranked:
        # Every match is read anyway (to rank or to count its facets): from
        # the posting lists for plain words, else read each once for the
        # count, the facets and the page.
        listed = (postings_read.read(connection, plan, facets)
                  if postings_read.eligible(plan, facets) else None)
        if listed is not None:
            count, facet_fields, page, docs = listed
        else:
            count, facet_fields, page, docs = single_pass(connection, plan, facets)
    else:
        count = connection.execute(
            sa.text(f"SELECT count(*) FROM quebec_search_document d WHERE {plan.where}"),
            dict(plan.params)).scalar_one()
        facet_fields = {}
        page = page_keys(connection, plan, plan.where, {}, count)
    facet_fields = {name: facet_fields[name] for name in names}
    for name in dict.fromkeys(names):
        if facets.lists_zero_counts(name):
            if matched is None:
                matched = segments.matching(connection, plan)
            facet_fields[name] = with_zero_counts(
                connection, facets, name, facet_fields[name], matched.ids)
    if docs is None:
        docs = documents(connection, plan.options.get("fl"), page)
    return Results(docs, count, facet_fields)
