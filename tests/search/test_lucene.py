"""Lucene syntax to SQL, without a database: every value and field name is bound."""
from __future__ import annotations

import datetime as dt
import functools

import pytest

from ckanext.quebec.search import datemath, fields, syntax
from ckanext.quebec.search.lucene import Compiler, Params, QuerySyntaxError

MARKER = "zq9x"


def compile_query(text: str, operator: str = "AND") -> tuple[str, dict]:
    params = Params()
    sql = Compiler(params, default_operator=operator).compile_text(text)
    return sql, params.values


class TestBoundValues:
    @pytest.mark.parametrize("query", [
        f"{MARKER}",
        f'"{MARKER} phrase"',
        f"title:{MARKER}",
        f"name:{MARKER}",
        f'tags:"{MARKER}\'; DROP TABLE package; --"',
        f"name:{MARKER}*",
        f"title:{MARKER}*",
        f"name:[{MARKER} TO *]",
        f"{MARKER}_field:value",
        f"{MARKER}_field:*",
        f"extras_{MARKER}:x",
        "metadata_modified:[NOW-1DAY TO NOW]",
        f"-name:{MARKER} +title:{MARKER}",
    ])
    def test_no_value_or_field_name_reaches_the_sql_text(self, query):
        sql, values = compile_query(query)
        assert MARKER not in sql
        assert "NOW" not in sql
        assert values
        for name in values:
            assert f":{name}" in sql

    def test_field_names_outside_the_solr_alphabet_are_refused(self):
        with pytest.raises(QuerySyntaxError):
            compile_query("nämé:x")

    def test_match_all(self):
        assert compile_query("*:*") == ("TRUE", {})


class TestParsedOnce:
    """A process keeps the trees it parsed (syntax.parse): compiling never changes them."""

    @pytest.mark.parametrize("query", [
        "+capacity:public +state:active", 'title:"pistes cyclables" -tags:velo',
        "name:pis* OR metadata_modified:[NOW-1DAY TO NOW]", "(a OR b) AND NOT c",
        "velo && !pont || parc"])
    def test_the_same_text_compiles_alike_every_time(self, query, monkeypatch):
        # NOW is read at each compile: the clock stands still here, or a millisecond
        # that ticks between two compiles would tell them apart.
        monkeypatch.setattr(datemath, "parse", functools.partial(
            datemath.parse, now=dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc)))
        first = compile_query(query)
        assert syntax._parsed.get(query) is not None
        assert compile_query(query) == first
        assert compile_query(query, operator="OR") == compile_query(query, operator="OR")
        dismax = [Compiler(params, default_operator="OR") for params in (Params(), Params())]
        assert dismax[0].compile_dismax(query, "1") == dismax[1].compile_dismax(query, "1")
        assert dismax[0].params == dismax[1].params

    def test_a_text_that_fails_fails_every_time(self):
        for _ in range(2):
            with pytest.raises(QuerySyntaxError):
                compile_query('title:"unbalanced')
        assert 'title:"unbalanced' not in syntax._parsed

    def test_the_kept_trees_are_bounded(self, monkeypatch):
        monkeypatch.setattr(syntax, "_MAX_PARSED", 2)
        monkeypatch.setattr(syntax, "_parsed", {})
        for word in ("un", "deux", "trois"):
            compile_query(word)
        assert list(syntax._parsed) == ["trois"]


class TestSemantics:
    def test_bare_words_all_required_under_and(self):
        sql, values = compile_query("velo pont")
        assert ") AND (" in sql and ") OR (" not in sql
        assert list(values.values()) == ["velo", "pont"]

    def test_bare_words_any_under_or(self):
        sql, _ = compile_query("velo pont", operator="OR")
        assert ") OR (" in sql and ") AND (" not in sql

    def test_required_clause_carries_the_match_under_or(self):
        sql, values = compile_query("+velo pont", operator="OR")
        assert list(values.values()) == ["velo", "pont"]
        assert ":p1" not in sql  # an optional clause beside a required one only ranks, on Solr

    def test_prohibited_clause(self):
        sql, _ = compile_query("velo -pont")
        assert "NOT (" in sql

    def test_string_fields_match_exactly(self):
        sql, values = compile_query("tags:Vélo")
        assert "@>" in sql
        assert values == {"p0": '{"tags": ["V\\u00e9lo"]}'}

    def test_string_wildcards_become_escaped_like_patterns(self):
        _, values = compile_query(r"name:50%_off?x*")
        assert r"50\%\_off_x%" in values.values()

    def test_text_prefix_keeps_only_words(self):
        _, values = compile_query("title:l'eau*")
        assert "l & eau:*" in values.values()

    def test_open_range_on_dates(self):
        sql, values = compile_query("metadata_created:[* TO 2020-01-01T00:00:00Z]")
        assert "<=" in sql and ">=" not in sql
        assert dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc) in values.values()

    def test_exclusive_range(self):
        sql, _ = compile_query("views_total:{1 TO 10}")
        assert " > " in sql and " < " in sql

    @pytest.mark.parametrize("query", [
        "title:(velo", 'title:"velo', "AND", "title:/re/",
        "metadata_modified:[hier TO *]", "views_total:[x TO *]",
        "metadata_modified:[NOW+99999999YEARS TO *]", "velo\x00", "a" * 10_001,
    ])
    def test_syntax_errors(self, query):
        with pytest.raises(QuerySyntaxError):
            compile_query(query)


class TestDateMath:
    NOW = dt.datetime(2026, 11, 22, 15, 30, 45, tzinfo=dt.timezone.utc)

    @pytest.mark.parametrize("expression, expected", [
        ("NOW", NOW),
        ("NOW/DAY", dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)),
        ("NOW-1DAY", NOW - dt.timedelta(days=1)),
        ("NOW/MONTH+1MONTH", dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)),
        ("NOW-2YEARS", NOW.replace(year=2024)),
        ("2020-01-01T00:00:00Z+1YEAR", dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)),
        ("2020-02-03", dt.datetime(2020, 2, 3, tzinfo=dt.timezone.utc)),
    ])
    def test_expressions(self, expression, expected):
        assert datemath.parse(expression, now=self.NOW) == expected

    @pytest.mark.parametrize("expression", ["hier", "NOW-1FORTNIGHT", "NOW+", "2020-13-01"])
    def test_invalid(self, expression):
        with pytest.raises(datemath.DateMathError):
            datemath.parse(expression, now=self.NOW)


@pytest.mark.parametrize("field, kind", [
    ("title", fields.TEXT), ("notes", fields.TEXT), ("extras_theme", fields.TEXT),
    ("name", fields.STRING), ("tags", fields.STRING), ("organization", fields.STRING),
    ("res_format", fields.STRING), ("title_string", fields.STRING),
    ("metadata_modified", fields.DATE), ("temporal_date", fields.DATE),
    ("views_recent", fields.NUMBER),
])
def test_field_kinds_follow_ckans_solr_schema(field, kind):
    assert fields.kind_of(field) == kind
