"""Facet counts: the fields asked for, their options, and the counts the segments keep.

A search's facets are counted in one of three ways: from the counts the
index keeps per segment (counted fields, filters on signature fields only:
:func:`counted_facets`), from the matching documents read once for the page
and the count (single_pass.py), and, for counted fields asked with a
minimum count of 0, completed with the values no match holds
(:func:`with_zero_counts`), as Solr lists them.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import fields as solr_fields
from . import merge
from .lucene import unknown_field
from .options import int_option, invalid


class FacetRequest:
    """The facet fields of one search and their options; ``counted`` are
    those whose counts the index keeps (counted.counted_among)."""

    def __init__(self, options: dict[str, Any], names: list[str], counted: set[str]):
        self.options = options
        self.names = names  # as asked, a field possibly twice
        self.fields = valid_facet_fields(names)
        self.counted = counted & set(self.fields)

    def read_options(self, field: str) -> tuple[int, int, bool]:
        """(limit, mincount, sorted by value rather than by count) of one facet, as read.

        Zero counts (a minimum of 0, Solr's default; CKAN asks for 1) are
        read without limit from the matches, then completed and cut by
        with_zero_counts().
        """
        limit, mincount, by_value = self.asked_options(field)
        if self.lists_zero_counts(field):
            return -1, 1, by_value
        return limit, mincount, by_value

    def lists_zero_counts(self, field: str) -> bool:
        """Whether a facet lists values no match holds: counted fields only.

        Their values are known without reading every document (the segments'
        counts); other fields are faceted on their matches' values only.
        """
        return self.asked_options(field)[1] <= 0 and field in self.counted

    def asked_options(self, field: str) -> tuple[int, int, bool]:
        limit = int_option(self.options, f"f.{field}.facet.limit",
                           self.options.get("facet.limit", 100))
        mincount = int_option(self.options, f"f.{field}.facet.mincount",
                              self.options.get("facet.mincount", 0))
        order = self.options.get(f"f.{field}.facet.sort", self.options.get("facet.sort"))
        if order is None:
            # Solr's default: by count when the list is cut, by value when it is not.
            return limit, mincount, limit < 0
        return limit, mincount, str(order) in ("index", "false")


def valid_facet_fields(names: list[str]) -> list[str]:
    """The facet fields asked for, each once; Solr refuses a bad field name."""
    for name in names:
        if not solr_fields.is_valid_name(name):
            raise invalid(unknown_field(name))
    return list(dict.fromkeys(names))


def counted_facets(connection: sa.engine.Connection, request: FacetRequest,
                   segment_ids: list[int]) -> tuple[int, dict[str, list[Any]]]:
    """Counts added up over the segments the filters match: the same
    figures as reading every matching document."""
    params: dict[str, Any] = {"_segments": segment_ids}
    branches = ["(SELECT -1 AS facet, NULL AS value, "
                "coalesce(sum(documents), 0) AS n FROM segments)"]
    for number, field in enumerate(request.fields):
        limit, mincount, by_value = request.read_options(field)
        params[f"_facet{number}"] = field
        params[f"_mincount{number}"] = max(mincount, 1)
        order_by = ('c.value COLLATE "C"' if by_value
                    else 'sum(c.documents) DESC, c.value COLLATE "C"')
        limit_sql = ""
        if limit >= 0:
            params[f"_limit{number}"] = limit
            limit_sql = f"LIMIT :_limit{number}"
        branches.append(
            f"(SELECT {number} AS facet, c.value, sum(c.documents) AS n "
            f"FROM quebec_search_facet_count c JOIN segments s ON s.id = c.segment_id "
            f"WHERE c.field = :_facet{number} GROUP BY c.value "
            f"HAVING sum(c.documents) >= :_mincount{number} "
            f"ORDER BY {order_by} {limit_sql})")
    result = connection.execute(sa.text(
        "WITH segments AS MATERIALIZED (SELECT id, documents "
        "FROM quebec_search_segment WHERE id = ANY(:_segments)) "
        + " UNION ALL ".join(branches)), params)
    return _gather(result, request.fields)


def with_zero_counts(connection: sa.engine.Connection, request: FacetRequest, field: str,
                     counts: list[Any], visible_segments: list[int]) -> list[Any]:
    """``counts`` with the values no match holds, counted 0, as Solr lists them.

    Only values of datasets the search may show (``visible_segments``, kept
    by its filters on signature fields: permission labels, site, state): a
    private dataset's tags are not listed to those who cannot see it, where
    Solr would list them.
    """
    limit, _, by_value = request.asked_options(field)
    held = connection.execute(sa.text(
        "SELECT c.value FROM quebec_search_facet_count c"
        " WHERE c.field = :_zero_field AND c.segment_id = ANY(:_segments)"
        " GROUP BY c.value HAVING sum(c.documents) > 0"),
        {"_zero_field": field, "_segments": visible_segments}).scalars()
    found = dict(zip(counts[::2], counts[1::2]))
    for value in held:
        found.setdefault(value, 0)
    return merge.facet_list(found, limit, 0, by_value)


def _gather(result: Any, fields: list[str]) -> tuple[int, dict[str, list[Any]]]:
    count = 0
    counts: dict[str, list[Any]] = {field: [] for field in fields}
    for facet, value, number in result:
        if facet < 0:
            count = int(number)
        else:
            counts[fields[facet]].extend((value, int(number)))
    return count, counts
