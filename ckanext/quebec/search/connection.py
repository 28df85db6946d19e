"""A pysolr-compatible connection whose index lives in PostgreSQL.

CKAN's search layer (ckan.lib.search) builds Solr documents and Solr queries
and hands them to a pysolr connection. Answering that same conversation keeps
every line of CKAN's own logic in play — document building, before_dataset_index,
permission labels, fq assembly, result post-processing — so package_search
behaves here as it does on Solr, on CKAN 2.11 and 2.12 alike.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Iterable

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy as sa

from ckan.model import ensure_engine

from . import fields as solr_fields
from .lucene import Compiler, Params, QuerySyntaxError, strip_local_params, unknown_field

log = logging.getLogger(__name__)

# Documents carry these as JSON strings; they are returned, never searched.
_OPAQUE_FIELDS = ("data_dict", "validated_data_dict")
_DEFAULT_ROWS = 10
_MAX_ROWS = 100_000
_SORT_DIRECTIONS = {"asc": "ASC", "desc": "DESC"}


class Results:
    """The part of pysolr.Results that CKAN reads."""

    def __init__(self, docs: list[dict[str, Any]], hits: int,
                 facet_fields: dict[str, list[Any]]):
        self.docs = docs
        self.hits = hits
        self.facets = {"facet_fields": facet_fields}
        self.raw_response = {"response": {"numFound": hits, "docs": docs}}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


class PostgresSolr:
    """Stands in for ``pysolr.Solr`` against the quebec_search_document table."""

    url = "postgresql:quebec_search_document"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.engine = ensure_engine()

    # -- writing -------------------------------------------------------------
    def add(self, docs: Iterable[dict[str, Any]], commit: bool = True, **kwargs: Any) -> None:
        rows = [_row_for(doc) for doc in docs]
        if not rows:
            return
        statement = sa.text("""
            INSERT INTO quebec_search_document
                (index_id, id, name, site_id, fields, stored, search_text, indexed_at)
            VALUES (:index_id, :id, :name, :site_id, CAST(:fields AS jsonb),
                    CAST(:stored AS jsonb),
                    setweight(quebec_search_vector(:text_a), 'A')
                    || setweight(quebec_search_vector(:text_b), 'B')
                    || setweight(quebec_search_vector(:text_c), 'C')
                    || setweight(quebec_search_vector(:text_d), 'D'),
                    now())
            ON CONFLICT (index_id) DO UPDATE SET
                id = EXCLUDED.id, name = EXCLUDED.name, site_id = EXCLUDED.site_id,
                fields = EXCLUDED.fields, stored = EXCLUDED.stored,
                search_text = EXCLUDED.search_text, indexed_at = EXCLUDED.indexed_at
        """)
        with self.engine.begin() as connection:
            connection.execute(statement, rows)

    def delete(self, id: Any = None, q: str | None = None, commit: bool = True,
               **kwargs: Any) -> None:
        params = Params()
        if id is not None:
            ids = id if isinstance(id, (list, tuple)) else [id]
            condition = f"d.index_id = ANY({params.bind(list(ids))})"
        elif q is not None:
            condition = _compile_or_raise(Compiler(params), q)
        else:
            raise ValueError("delete needs an id or a query")
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(f"DELETE FROM quebec_search_document d WHERE {condition}"),
                params.values)

    def commit(self, **kwargs: Any) -> None:
        """Writes are committed as they happen; nothing is pending."""

    def optimize(self, **kwargs: Any) -> None:
        """PostgreSQL maintains its indexes itself (autovacuum)."""

    # -- reading -------------------------------------------------------------
    def search(self, q: str | None = None, **kwargs: Any) -> Results:
        request = _SearchRequest(q, kwargs)
        try:
            with self.engine.connect() as connection:
                return request.run(connection)
        except sa.exc.DataError as error:
            # A value PostgreSQL refuses (a number beyond bigint, ...) is the
            # searcher's mistake, as it would be for Solr: a search error.
            raise _invalid(_database_message(error)) from error


class _SearchRequest:
    """One Solr select request, translated to SQL."""

    def __init__(self, q: str | None, params: dict[str, Any]):
        self.q = (q if q is not None else params.get("q")) or "*:*"
        self.options = params
        self.params = Params()
        operator = str(params.get("q.op", "OR")).upper()
        self.compiler = Compiler(self.params, default_field=params.get("df") or "text",
                                 default_operator="AND" if operator == "AND" else "OR")
        # Words of q rank the results; fq filters only, as on Solr.
        self.rank_terms: list[str] = []

    def run(self, connection: sa.engine.Connection) -> Results:
        where = self._where()
        rank = self._rank()
        count = connection.execute(
            sa.text(f"SELECT count(*) FROM quebec_search_document d WHERE {where}"),
            self.params.values).scalar_one()

        rows, start = self._page()
        fl = _field_list(self.options.get("fl"))
        docs: list[dict[str, Any]] = []
        if rows > 0 and start < count:
            order_by = self._order_by(rank)
            page_params = dict(self.params.values, _rows=rows, _start=start)
            result = connection.execute(sa.text(
                f"SELECT d.stored, {rank} AS score FROM quebec_search_document d "
                f"WHERE {where} ORDER BY {order_by} "
                f"LIMIT :_rows OFFSET :_start"), page_params)
            docs = [_select_fields(stored, score, fl) for stored, score in result]

        facet_fields = {}
        if str(self.options.get("facet", "false")).lower() == "true":
            for name in _as_list(self.options.get("facet.field")):
                field = strip_local_params(name).strip()
                facet_fields[field] = self._facet(connection, where, field)
        return Results(docs, count, facet_fields)

    def _where(self) -> str:
        conditions = [self._query_condition()]
        self.rank_terms = list(self.compiler.rank_terms)
        for fq in _as_list(self.options.get("fq")):
            if fq and fq.strip():
                conditions.append(_compile_or_raise(self.compiler, fq))
        return " AND ".join(conditions)

    def _query_condition(self) -> str:
        q = strip_local_params(self.q).strip()
        if self.options.get("defType") in ("dismax", "edismax") and ":" not in q:
            # dismax: every word searches the query fields, fields are not syntax.
            self.compiler.default_field = "text"
            return self._dismax_condition(q)
        return _compile_or_raise(self.compiler, q)

    def _dismax_condition(self, q: str) -> str:
        try:
            return self.compiler.compile_text(q)
        except QuerySyntaxError:
            pass
        # Solr's dismax takes an unbalanced quote or parenthesis in what
        # people type as plain text, never as an error.
        return _compile_or_raise(self.compiler, q, plain_words=True)

    def _rank(self) -> str:
        terms = self.rank_terms
        if not terms:
            return "0.0"
        query = " || ".join(
            f"quebec_search_words({self.params.bind(term)})" for term in terms)
        return f"ts_rank_cd(d.search_text, {query})"

    def _page(self) -> tuple[int, int]:
        try:
            rows = int(self.options.get("rows", _DEFAULT_ROWS))
            start = int(self.options.get("start", 0))
        except (TypeError, ValueError):
            rows = start = -1
        if rows < 0 or start < 0:
            raise _invalid(tk._("rows and start must be positive whole numbers"))
        return min(rows, _MAX_ROWS), start

    def _order_by(self, rank: str) -> str:
        clauses = []
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
            key = self._sort_key(name, rank)
            if key is not None:
                clauses.append(f"{key} {direction} NULLS LAST")
        clauses.append("d.index_id ASC")
        return ", ".join(clauses)

    def _sort_key(self, name: str, rank: str) -> str | None:
        if name == "score":
            # Without words to rank by every score is equal; PostgreSQL also
            # refuses a bare constant in ORDER BY.
            return rank if self.rank_terms else None
        if name == "index_id":
            return "d.index_id"
        if not solr_fields.is_valid_name(name):
            raise _invalid(unknown_field(name))
        value = f"(d.fields -> {self.params.bind(name)} ->> 0)"
        kind = solr_fields.kind_of(name)
        if kind == solr_fields.DATE:
            return f"quebec_search_try_timestamp{value}"
        if kind == solr_fields.NUMBER:
            return f"quebec_search_try_number{value}"
        return f'{value} COLLATE "C"'

    def _facet(self, connection: sa.engine.Connection, where: str,
               field: str) -> list[Any]:
        if not solr_fields.is_valid_name(field):
            raise _invalid(unknown_field(field))
        limit = _int_option(self.options, f"f.{field}.facet.limit",
                            self.options.get("facet.limit", 100))
        mincount = _int_option(self.options, f"f.{field}.facet.mincount",
                               self.options.get("facet.mincount", 0))
        order = self.options.get(f"f.{field}.facet.sort", self.options.get("facet.sort"))
        order_by = ('e.value COLLATE "C"' if str(order) in ("index", "false")
                    else 'count(*) DESC, e.value COLLATE "C"')
        facet_params = dict(self.params.values, _facet_field=field,
                            _mincount=max(mincount, 1))
        limit_sql = ""
        if limit >= 0:
            limit_sql = "LIMIT :_limit"
            facet_params["_limit"] = limit
        result = connection.execute(sa.text(
            f"SELECT e.value, count(*) FROM quebec_search_document d "
            f"CROSS JOIN LATERAL jsonb_array_elements_text(d.fields -> :_facet_field) "
            f"AS e(value) WHERE {where} GROUP BY e.value "
            f"HAVING count(*) >= :_mincount ORDER BY {order_by} {limit_sql}"),
            facet_params)
        flat: list[Any] = []
        for value, count in result:
            flat.extend((value, count))
        return flat


def _invalid(detail: str) -> pysolr.SolrError:
    # CKAN turns a SolrError into its "Search error" answer (HTTP 409), as it
    # does for the syntax errors of a real Solr.
    return pysolr.SolrError(tk._("Invalid search query: {detail}").format(detail=detail))


def _database_message(error: sa.exc.DBAPIError) -> str:
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "message_primary", None) or type(error.orig).__name__


def _compile_or_raise(compiler: Compiler, text: str, plain_words: bool = False) -> str:
    try:
        if plain_words:
            return compiler.compile_words(text)
        return compiler.compile_text(text)
    except QuerySyntaxError as error:
        raise _invalid(str(error)) from error


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def _int_option(options: dict[str, Any], key: str, default: Any) -> int:
    try:
        return int(options.get(key, default))
    except (TypeError, ValueError) as error:
        raise _invalid(tk._("not a valid number: {value}").format(value=options.get(key))) from error


def _field_list(fl: Any) -> list[str] | None:
    """Requested fields; None means all stored fields."""
    if not fl:
        return None
    names = [name for name in str(fl).replace(",", " ").split() if name]
    if "*" in names:
        return None if "score" not in names else ["*", "score"]
    return names


def _select_fields(stored: dict[str, Any], score: float,
                   fl: list[str] | None) -> dict[str, Any]:
    if fl is None or "*" in fl:
        doc = dict(stored)
    else:
        doc = {name: stored[name] for name in fl if name in stored}
    if fl and "score" in fl:
        doc["score"] = float(score)
    return doc


def _values(value: Any) -> list[str]:
    """An indexed value as Solr sees it: a list of strings, each once."""
    items = value if isinstance(value, (list, tuple, set)) else [value]
    out: list[str] = []
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, bool):
            text = "true" if item else "false"
        elif isinstance(item, (dict, list)):
            text = json.dumps(item, ensure_ascii=False, sort_keys=True)
        else:
            text = str(item)
        if text not in out:
            out.append(text)
    return out


def _row_for(doc: dict[str, Any]) -> dict[str, Any]:
    indexed = {}
    for key, value in doc.items():
        if key in _OPAQUE_FIELDS:
            continue
        values = _values(value)
        if values:
            indexed[key] = values
    stored = {key: value for key, value in doc.items()
              if solr_fields.is_stored(key) and value is not None}
    texts = {weight: [] for weight in solr_fields.TEXT_WEIGHTS}
    for weight, names in solr_fields.TEXT_WEIGHTS.items():
        for name in names:
            texts[weight].extend(indexed.get(name, []))
    for key, values in indexed.items():
        if key.startswith(solr_fields.TEXT_DYNAMIC_PREFIXES):
            texts["D"].extend(values)
    return {
        "index_id": doc.get("index_id") or doc["id"],
        "id": doc["id"],
        "name": doc.get("name"),
        "site_id": doc.get("site_id") or "",
        "fields": json.dumps(indexed, ensure_ascii=False),
        "stored": json.dumps(stored, ensure_ascii=False, default=str),
        "text_a": " ".join(texts["A"]),
        "text_b": " ".join(texts["B"]),
        "text_c": " ".join(texts["C"]),
        "text_d": " ".join(texts["D"]),
    }
