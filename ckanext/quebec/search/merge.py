"""One search's answer from the partial reads of its groups of partitions.

Each group (parallel.py) returns its own first start + rows matches with
their sort keys, its number of matches and every facet value it counts. The
page is cut, and the facet limits and minimum counts applied, here: the
figures are those of one read of the whole index.
"""
from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Iterable

NUMBER = "number"
DATE = "date"
TEXT = "text"

# (limit, mincount, sorted by value rather than by count) of each facet field
FacetOptions = dict[str, tuple[int, int, bool]]


def comparable_text(column: str, kind: str) -> str:
    """SQL that gives a sort key as text from which Python orders it as PostgreSQL does.

    Dates as seconds since 1970 (exact decimals, 'Infinity' for infinity);
    numbers in PostgreSQL's shortest exact form; text as it is, since it
    is sorted byte by byte (COLLATE "C"), which is Python's order of code
    points.
    """
    if kind == DATE:
        return f"CAST(extract(epoch FROM {column}) AS text)"
    return f"CAST({column} AS text)"


def single_passes(reads: Iterable[list[Any]], fields: list[str],
                  sort: list[tuple[str, str]], rows: int, start: int,
                  facet_options: FacetOptions
                  ) -> tuple[int, dict[str, list[Any]], list[tuple[str, float]],
                             list[tuple[int, str | None]]]:
    """(count, facets, page, packed numbers) of the whole index from its groups' reads.

    ``sort`` holds (ASC or DESC, kind) of each sort key; the rows of a read
    are (facet, position, value, number, keys) as
    single_pass.read_statement writes them. The counted fields'
    numbered values come with each read's number of matches, packed, for
    numbered.py: (numbering table, packed numbers) per read.
    """
    count = 0
    counts: dict[str, dict[str, int]] = {field: {} for field in fields}
    matches: list[tuple[list[Any], str, float]] = []
    packed = []
    kinds = [kind for _, kind in sort] + [TEXT]
    for read in reads:
        for facet, position, value, number, keys in read:
            if facet == -2:
                matches.append(([_comparable(text, kind) for text, kind in zip(keys, kinds)],
                                value, float(number)))
            elif facet == -1:
                count += int(number)
                packed.append((position, value))
            else:
                values = counts[fields[facet]]
                values[value] = values.get(value, 0) + int(number)
    directions = [direction for direction, _ in sort] + ["ASC"]  # then index_id
    matches.sort(key=functools.cmp_to_key(
        lambda a, b: _compare(a[0], b[0], directions)))
    page = [(key, score) for _, key, score in matches[start:start + rows]]
    facets = {}
    for field in fields:
        limit, mincount, by_value = facet_options[field]
        facets[field] = facet_list(counts[field], limit, max(mincount, 1), by_value)
    return count, facets, page, packed


def _comparable(text: str | None, kind: str) -> Any:
    if text is None or kind == TEXT:
        return text
    value = Decimal(text) if kind == DATE else float(text)
    # PostgreSQL puts NaN above every number, infinity included.
    return (1, 0.0) if value != value else (0, value)


def _compare(a: list[Any], b: list[Any], directions: list[str]) -> int:
    """ORDER BY each key in its direction, NULLS LAST, as connection.py's SQL does."""
    for x, y, direction in zip(a, b, directions):
        if x == y:
            continue
        if x is None or y is None:
            return 1 if x is None else -1
        order = -1 if x < y else 1
        return order if direction == "ASC" else -order
    return 0


def facet_list(values: dict[str, int], limit: int, mincount: int, by_value: bool) -> list[Any]:
    """Solr's flat [value, count, ...] list, as the SQL of one read orders and cuts it."""
    kept = [(value, number) for value, number in values.items() if number >= mincount]
    kept.sort(key=(lambda item: item[0]) if by_value else (lambda item: (-item[1], item[0])))
    if limit >= 0:
        kept = kept[:limit]
    return [part for item in kept for part in item]
