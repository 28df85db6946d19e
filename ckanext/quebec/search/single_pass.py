"""The number of matches, every facet's counts and the page, in one read.

When every match is read anyway (to rank it or to count its facets), each
is read once: the matching rows are found and ranked once, keeping only
their key, score, sort keys and faceted values. Counted fields are counted
from the documents' numbered values (numbered.py: a value a dataset holds
twice is numbered once, so it counts once per dataset, as on Solr); other
fields from their values in ``fields``.

On a large index each group of partitions is read at once on its own
connection (parallel.py), the documents picked by their signature's key
(segments.keyed_where); their pages, counts and facets are merged (merge.py).
"""
from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from ckan.model import ensure_engine

from . import documents, merge, numbered, parallel, segments
from .documents import Page
from .facets import FacetRequest
from .options import set_read_options
from .plan import QueryPlan, SortKey

_DOCUMENTS = parallel.TABLE


def single_pass(connection: sa.engine.Connection, plan: QueryPlan, facets: FacetRequest
                ) -> tuple[int, dict[str, list[Any]], Page, list[dict[str, Any]] | None]:
    """(count, facets, page, the page's documents) of ``plan``, each match read once.

    Read as a whole, the page's documents come with it (one statement less
    for the search); read in parts, they are None (documents.documents()
    reads them once the page is merged).
    """
    sources = parallel.sources(connection)
    docs = None
    if sources is None:
        sql, params = read_statement(
            plan, facets, _DOCUMENTS, segments.keyed_in_statement(plan), {}, False)
        count, counts, stored, packed = _read(
            connection.execute(sa.text(sql), params), facets.fields)
        page = [(key, score) for key, score, _ in stored]
        docs = documents.page_documents(plan.options.get("fl"), stored)
    else:
        # Only on a large index: on a small one the segments' query costs
        # more than the containments it saves (1,000 datasets: about 0.5 ms).
        where, where_params = segments.keyed_where(connection, plan)
        statements = [read_statement(plan, facets, source, where, where_params, True)
                      for source in sources]
        halves = parallel.run(
            lambda: connection.execute(sa.text(statements[0][0]), statements[0][1]).all(),
            [functools.partial(_read_on_own_connection, *statement)
             for statement in statements[1:]])
        count, counts, page = merged(connection, halves, plan, facets)
        return count, counts, page, docs
    _name_counted(connection, counts, packed, facets)
    return count, counts, page, docs


def merged(connection: sa.engine.Connection, reads: list[list[Any]], plan: QueryPlan,
           facets: FacetRequest) -> tuple[int, dict[str, list[Any]], Page]:
    """(count, facets, page) of partial reads (rows as :func:`read_statement` writes them)."""
    count, counts, page, packed = merge.single_passes(
        reads, facets.fields, [(key.direction, key.kind) for key in plan.sort_keys],
        plan.rows, plan.start,
        {field: facets.read_options(field) for field in facets.fields})
    _name_counted(connection, counts, packed, facets)
    return count, counts, page


def _name_counted(connection: sa.engine.Connection, counts: dict[str, list[Any]],
                  packed: list[tuple[int, str | None]], facets: FacetRequest) -> None:
    """The counted fields' facets in ``counts``, from the reads' packed numbers."""
    named = numbered.counts_by_field(
        connection, packed, [field for field in facets.fields if field in facets.counted])
    for field, values in named.items():
        limit, mincount, by_value = facets.read_options(field)
        counts[field] = merge.facet_list(values, limit, max(mincount, 1), by_value)


def read_statement(plan: QueryPlan, facets: FacetRequest, source: str, where: str,
                   where_params: dict[str, Any], partial: bool, rank: str | None = None
                   ) -> tuple[str, dict[str, Any]]:
    """SQL and parameters of one single-pass read of ``source``.

    A partial read (one of several groups of partitions) returns its
    first start + rows matches with their sort keys, and every facet
    value it counts: limits, minimum counts and the page's offset apply
    to the merged figures (merge.py). ``rank``: SQL that computes
    ``plan.rank`` otherwise (the posting lists' read binds the tsqueries it
    has read).
    """
    params = plan.statement_params(**where_params, _rows=plan.rows, _start=plan.start)
    if partial:
        params.update(_rows=plan.rows + plan.start, _start=0)
    sort_keys = plan.sort_keys
    columns, aliases = match_columns(plan, rank)
    stored = None if partial else documents.stored_columns(
        documents.field_list(plan.options.get("fl")), params)
    branches = [_page_branch(sort_keys, aliases, stored, source),
                "(SELECT -1, 0, NULL, count(*), NULL FROM matched)"]
    if facets.counted:
        # With the number of matches, their numbered values, counted in
        # Python (numbered.py), limits and minimum counts applied there.
        columns.append("d.facet_bytes")
        branches[-1] = (f"(SELECT -1, {numbered.TABLE_SQL}, {numbered.PACKED_SQL},"
                        " count(*), NULL FROM matched)")
    for number, field in enumerate(facets.fields):
        if field in facets.counted:
            continue
        columns.append(f"d.fields -> :_facet{number} AS v{number}")
        branches.append(_facet_branch(facets, field, number, params, partial))
    return (f"WITH matched AS MATERIALIZED (SELECT {', '.join(columns)} "
            f"FROM {source} d WHERE {where}) " + " UNION ALL ".join(branches), params)


def match_columns(plan: QueryPlan, rank: str | None = None) -> tuple[list[str], list[str]]:
    """(SQL of the columns index_id, score and the sort keys over ``d``, the sort
    keys' aliases): the score is computed once, whether it is returned or
    sorted on."""
    aliases = ["score" if key.expression == plan.rank else f"s{number}"
               for number, key in enumerate(plan.sort_keys)]
    columns = ["d.index_id", f"{rank or plan.rank} AS score"] + [
        f"{key.expression} AS {alias}" for key, alias in zip(plan.sort_keys, aliases)
        if alias != "score"]
    return columns, aliases


def key_texts(sort_keys: tuple[SortKey, ...], aliases: list[str]) -> list[str]:
    """SQL of a match's sort keys as text (merge.py compares them), then its index_id."""
    return [merge.comparable_text(alias, key.kind)
            for key, alias in zip(sort_keys, aliases)] + ["index_id"]


def _page_branch(sort_keys: tuple[SortKey, ...], aliases: list[str], stored: list[str] | None,
                 source: str) -> str:
    """The page's rows (facet -2): position, index_id, score and either, read in
    part, the sort keys or, read whole, the stored fields (``stored``, SQL over
    documents.STORED_ONCE) of its documents in ``source``."""
    order_by = ", ".join([f"{alias} {key.direction} NULLS LAST"
                          for key, alias in zip(sort_keys, aliases)] + ["index_id ASC"])
    if stored is not None:
        return ("(SELECT -2 AS facet, p.position, p.index_id AS value, p.score AS n,"
                f" ARRAY[{', '.join(stored)}] AS keys FROM (SELECT index_id, score,"
                " row_number() OVER () AS position FROM (SELECT index_id, score FROM matched"
                f" ORDER BY {order_by} LIMIT :_rows OFFSET :_start) AS q) AS p"
                f" JOIN {source} d ON d.index_id = p.index_id"
                f" CROSS JOIN {documents.STORED_ONCE})")
    return ("(SELECT -2 AS facet, row_number() OVER () AS position, p.index_id AS value,"
            f" p.score AS n, p.keys FROM (SELECT index_id, score,"
            f" ARRAY[{', '.join(key_texts(sort_keys, aliases))}] AS keys"
            f" FROM matched ORDER BY {order_by} LIMIT :_rows OFFSET :_start) AS p)")


def _facet_branch(facets: FacetRequest, field: str, number: int,
                  params: dict[str, Any], partial: bool) -> str:
    """The counts of one field not counted by the index, its parameters added to ``params``."""
    limit, mincount, by_value = facets.read_options(field)
    params[f"_facet{number}"] = field
    params[f"_mincount{number}"] = 1 if partial else max(mincount, 1)
    limit_sql = ""
    if limit >= 0 and not partial:
        params[f"_limit{number}"] = limit
        limit_sql = f"LIMIT :_limit{number}"
    order = 'e.value COLLATE "C"' if by_value else 'count(*) DESC, e.value COLLATE "C"'
    return (f"(SELECT {number}, 0, e.value, count(*), NULL FROM matched "
            f"CROSS JOIN LATERAL jsonb_array_elements_text(matched.v{number}) AS e(value) "
            f"GROUP BY e.value HAVING count(*) >= :_mincount{number} "
            f"ORDER BY {order} {limit_sql})")


def _read(result: Any, fields: list[str]
          ) -> tuple[int, dict[str, list[Any]], list[tuple[str, float, Any]],
                     list[tuple[int, str | None]]]:
    """(count, facets, page with stored fields, packed numbers) from the rows of a
    whole single-pass read."""
    count = 0
    counts: dict[str, list[Any]] = {field: [] for field in fields}
    page: list[tuple[int, str, float, Any]] = []
    packed = []
    for facet, position, value, number, stored in result:
        if facet == -2:
            page.append((position, value, float(number), stored))
        elif facet == -1:
            count = int(number)
            packed.append((position, value))
        else:
            counts[fields[facet]].extend((value, int(number)))
    page.sort(key=lambda row: row[0])
    return count, counts, [(key, score, stored) for _, key, score, stored in page], packed


def _read_on_own_connection(statement: str, params: dict[str, Any]) -> list[Any]:
    """One group's read, in a worker thread, as search() reads on the caller's connection."""
    with ensure_engine().begin() as connection:
        set_read_options(connection)
        return connection.execute(sa.text(statement), params).all()
