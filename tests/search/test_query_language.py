"""The Solr query language CKAN and extensions send, answered from PostgreSQL."""
from __future__ import annotations

import itertools
import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.search.common import SearchError
from ckan.tests import factories, helpers

from ckanext.quebec.search import lucene
from ckanext.quebec.search.connection import PostgresSolr

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    """Six datasets with words, extras, resource extras and dates to query."""
    with pytest.MonkeyPatch.context() as patch:
        # ckan.extra_resource_fields, read once per process by CKAN
        patch.setattr(model.Resource, "extra_columns", ["couverture"])
        _create_catalogue()


def _create_catalogue():
    org = factories.Organization(name="ville")

    def dataset(name, title, notes="", tags=(), extras=None, resources=(), **kwargs):
        return factories.Dataset(
            name=name, title=title, notes=notes, owner_org=org["id"],
            tags=[{"name": tag} for tag in tags],
            extras=[{"key": k, "value": v} for k, v in (extras or {}).items()],
            resources=list(resources), **kwargs)

    dataset("velo-ete", "Vélos en été", "Comptage des vélos l'été.", ["vélo"],
            {"theme": "transport actif", "release_date": "2020-06-01T00:00:00Z"},
            [{"url": "http://example.com/a.csv", "format": "CSV", "couverture": "Montréal"}])
    dataset("velo-hiver", "Vélos en hiver", "Comptage des vélos l'hiver.", ["vélo", "hiver"],
            {"theme": "transport actif", "release_date": "2024-01-15T00:00:00Z"})
    dataset("ponts", "Inspection des ponts", "Inspection of bridges.", ["ponts"],
            {"theme": "infrastructures"})
    dataset("budget-2023", "Budget 2023", "Budget municipal et dépenses.", ["budget"])
    dataset("arbres", "Arbres publics", "Inventaire des arbres et des parcs.", ["arbres"],
            resources=[{"url": "http://example.com/b.json", "format": "JSON"}])
    dataset("parcs-ski", "Parcs et pistes de ski", "Pistes de ski de fond.", ["ski"])


def search(**params) -> dict:
    params.setdefault("rows", 100)
    return helpers.call_action("package_search", **params)


def names(**params) -> set[str]:
    return {dataset["name"] for dataset in search(**params)["results"]}


EVERY = {"velo-ete", "velo-hiver", "ponts", "budget-2023", "arbres", "parcs-ski"}


@pytest.mark.usefixtures("catalogue")
class TestLuceneSyntax:
    @pytest.mark.parametrize("q, expected", [
        ("*:*", EVERY),
        ("name:ponts", {"ponts"}),
        ('title:"vélos en hiver"', {"velo-hiver"}),
        ('"comptage des vélos"', {"velo-ete", "velo-hiver"}),
        ("tags:vélo AND tags:hiver", {"velo-hiver"}),
        ("tags:vélo && tags:hiver", {"velo-hiver"}),
        ("tags:ponts OR tags:budget", {"ponts", "budget-2023"}),
        ("tags:ponts || tags:budget", {"ponts", "budget-2023"}),
        ("tags:vélo AND NOT tags:hiver", {"velo-ete"}),
        ("tags:vélo AND !tags:hiver", {"velo-ete"}),
        ("+tags:vélo -tags:hiver", {"velo-ete"}),
        ("(tags:ponts OR tags:arbres) AND notes:inventaire", {"arbres"}),
        ("title:(vélos AND été)", {"velo-ete"}),
        ("name:velo-*", {"velo-ete", "velo-hiver"}),
        ("name:*-hiver", {"velo-hiver"}),
        ("name:velo-?te", {"velo-ete"}),
        ("title:insp*", {"ponts"}),
        ("title:*ection", {"ponts"}),        # leading wildcards on text fields
        ("title:*udg*", {"budget-2023"}),
        ("title:v?los", {"velo-ete", "velo-hiver"}),
        ("*iver", set()),                    # plain words (dismax): Solr escapes the star
        ("title:*ZZZ*", set()),
        ("extras_theme:*", {"velo-ete", "velo-hiver", "ponts"}),
        ("extras_theme:actif", {"velo-ete", "velo-hiver"}),   # extras_* are text
        ('extras_theme:"transport actif"', {"velo-ete", "velo-hiver"}),
        ("res_extras_couverture:montreal", {"velo-ete"}),
        ("res_format:JSON", {"arbres"}),
        ("release_date:[2023-01-01T00:00:00Z TO *]", {"velo-hiver"}),
        ("release_date:[* TO 2023-01-01T00:00:00Z]", {"velo-ete"}),
        ("release_date:{2020-06-01T00:00:00Z TO NOW}", {"velo-hiver"}),
        ("release_date:[2020-06-01T00:00:00Z TO 2020-06-01T00:00:00Z]", {"velo-ete"}),
        ("release_date:[NOW-100YEARS TO NOW/DAY+1DAY]", {"velo-ete", "velo-hiver"}),
        ("metadata_created:[NOW-1DAY TO *]", EVERY),
        ("metadata_modified:[* TO NOW-1DAY]", set()),
        ("name:[budget-2023 TO ponts]", {"budget-2023", "parcs-ski", "ponts"}),
        ("name:{budget-2023 TO ponts}", {"parcs-ski"}),
        ("tags:ski^2", {"parcs-ski"}),
    ])
    def test_fielded_queries(self, q, expected):
        assert names(q=q) == expected

    @pytest.mark.parametrize("fq, expected", [
        ("-tags:vélo", EVERY - {"velo-ete", "velo-hiver"}),
        ("extras_theme:* AND -extras_theme:infrastructures", {"velo-ete", "velo-hiver"}),
        ("release_date:[2024-01-01T00:00:00Z TO 2024-12-31T23:59:59Z]", {"velo-hiver"}),
    ])
    def test_filters(self, fq, expected):
        assert names(fq=fq) == expected

    def test_fq_list(self):
        assert names(fq_list=["tags:vélo", "extras_theme:actif", "-tags:hiver"]) == {
            "velo-ete"}

    def test_local_params_are_accepted(self):
        # CKAN itself refuses them from users unless
        # ckan.search.solr_allowed_query_parsers allows them; extensions that
        # call the connection send them, and Solr accepts them.
        result = PostgresSolr().search(
            "{!tag=q}tags:ski OR tags:ponts", fq=["{!tag=tags}tags:ski"], rows=10,
            fl="name", facet="true", **{"facet.field": ["{!ex=tags}tags"]})
        assert [doc["name"] for doc in result.docs] == ["parcs-ski"]
        assert "tags" in result.facets["facet_fields"]


@pytest.mark.usefixtures("catalogue")
class TestDismax:
    """Plain words: CKAN asks dismax with qf "name^4 title^4 tags^2 groups^2 text"
    and mm "2<-1 5<80%"."""

    def test_two_words_both_required(self):
        assert names(q="comptage hiver") == {"velo-hiver"}

    def test_three_words_all_but_one(self):
        # 3 to 5 words: all but one must match
        assert names(q="comptage hiver ponts") == {"velo-hiver"}
        assert names(q="comptage vélos absentword") == {"velo-ete", "velo-hiver"}
        assert names(q="comptage absentword otherabsent") == set()

    def test_more_than_five_words_eighty_percent(self):
        # 6 words: 80% → 4 must match
        assert names(q="comptage vélos hiver transport absent1 absent2") == {"velo-hiver"}
        assert names(q="comptage vélos absent1 absent2 absent3 absent4") == set()

    @pytest.mark.parametrize("mm, expected", [
        ("1", {"velo-ete", "velo-hiver", "ponts"}),
        ("100%", set()),
        ("-1", {"velo-ete", "velo-hiver"}),
        ("50%", {"velo-ete", "velo-hiver", "ponts"}),
    ])
    def test_explicit_mm(self, mm, expected):
        assert names(q="comptage vélos bridges", mm=mm) == expected

    # Stop words of both languages ("on") and punctuation ("...") count as matched.
    @pytest.mark.parametrize("q", [
        "comptage vélos hiver transport absent1 absent2",
        "parcs et pistes de ski fond",
        "on on vélos hiver",
        "on ... on budget",
        '"comptage des vélos" hiver absent',
        "vélos^2 hiver absent",
        "+ponts inspection bridges absent",
        "arbres parcs et des inventaire publics ski fond ponts budget",
        "arbres parcs et des inventaire publics ski fond ponts budget hiver",
    ])
    @pytest.mark.usefixtures("no_kept_answers")
    def test_mm_as_one_text_query_finds_what_counting_finds(self, q, monkeypatch):
        as_one_query = search(q=q)
        monkeypatch.setattr(lucene, "_MAX_QUERY_TERMS", 0)
        counted = search(q=q)
        assert as_one_query["count"] == counted["count"]
        assert ([d["name"] for d in as_one_query["results"]]
                == [d["name"] for d in counted["results"]])

    def test_mm_of_stop_words_only_matches_everything(self):
        assert names(q="on on on budget") == EVERY
        assert names(q="on ... vélos hiver") == {"velo-ete", "velo-hiver"}

    @pytest.mark.parametrize("words, counted", [(5, False), (10, False), (11, True)])
    def test_mm_is_one_text_query_up_to_ten_words(self, words, counted):
        compiler = lucene.Compiler(lucene.Params())
        sql = compiler.compile_dismax(" ".join(f"mot{i}" for i in range(words)),
                                      mm="2<-1 5<80%")
        assert ("CASE WHEN" in sql) is counted
        assert ("quebec_search_at_least(" in sql) is not counted
        assert len(compiler.rank_terms) == words
        if not counted:
            # Each word's tsquery is written out twice (the test of an empty
            # query and the match, as for one word), not once per combination
            # it is part of (for 10 words, 360 times): migration 0016.
            assert sql.count("quebec_search_words(") == 2 * words

    @pytest.mark.parametrize("words, required", [
        (["parcs", "et", "espaces", "verts", "Rimouski"], 4), (["vélos", "hiver", "été"], 2),
        (["on", "vélos", "hiver"], 2), (["vélos", "hiver", "été"], 3)])
    def test_at_least_query_is_the_or_of_every_combination(self, words, required):
        queries = [f"quebec_search_words(CAST(:w{i} AS text))" for i in range(len(words))]
        written_out = " || ".join(
            "(" + " && ".join(queries[i] for i in chosen) + ")"
            for chosen in itertools.combinations(range(len(words)), required))
        with model.ensure_engine().connect() as connection:
            built, expected = connection.execute(sa.text(
                f"SELECT CAST(quebec_search_at_least(ARRAY[{', '.join(queries)}], :required)"
                f" AS text), CAST(({written_out}) AS text)"),
                {"required": required, **{f"w{i}": word for i, word in enumerate(words)}}).one()
        assert built == expected and built

    def test_the_at_least_migration_goes_down_and_up(self, migrate_db_for, monkeypatch):
        def exists():
            with model.ensure_engine().connect() as connection:
                return connection.execute(sa.text(
                    "SELECT to_regprocedure('quebec_search_at_least(tsquery[], integer)')"
                    " IS NOT NULL")).scalar_one()

        model.Session.remove()
        migrate_db_for("quebec_search", "0015_sort_index_signature_key", False)
        assert not exists()
        migrate_db_for("quebec_search")
        assert exists()
        as_one_query = names(q="vélos hiver été")
        monkeypatch.setattr(lucene, "_MAX_QUERY_TERMS", 0)
        assert as_one_query == names(q="vélos hiver été") and as_one_query

    def test_at_least_query_of_enough_stop_words_is_empty(self):
        with model.ensure_engine().connect() as connection:
            built = connection.execute(sa.text(
                "SELECT numnode(quebec_search_at_least(ARRAY[quebec_search_words('on'),"
                " quebec_search_words('...'), quebec_search_words('vélos')], 2))")).scalar_one()
            assert built == 0
            with pytest.raises(sa.exc.DBAPIError, match="3 of 2 terms"):
                connection.execute(sa.text("SELECT quebec_search_at_least("
                                           "ARRAY[to_tsquery('a'), to_tsquery('b')], 3)"))

    def test_required_and_prohibited_words(self):
        assert names(q="+comptage -hiver vélos") == {"velo-ete"}

    def test_qf_limits_the_fields_searched(self):
        assert names(q="inventaire") == {"arbres"}
        assert names(q="inventaire", qf="title^2 tags") == set()
        assert names(q="arbres", qf="title^2 tags") == {"arbres"}
        assert names(q="ponts", qf="name") == {"ponts"}

    def test_edismax_reads_fields_and_words(self):
        assert names(q="tags:vélo hiver", defType="edismax") == {"velo-hiver"}
        assert names(q="comptage hiver", defType="edismax") == {"velo-hiver"}

    @pytest.mark.parametrize("params", [{"mm": "x"}, {"mm": "2<"}, {"qf": "title^2 nämé"}])
    def test_bad_mm_or_qf_is_a_search_error(self, params):
        with pytest.raises(SearchError):
            search(q="comptage hiver", **params)

    def test_plain_words_with_odd_syntax(self):
        assert names(q='"comptage vélos') == {"velo-ete", "velo-hiver"}
        assert names(q="vélos) hiver") == {"velo-hiver"}


class TestWildcardWords:
    @pytest.mark.parametrize("term, expected", [
        ("*clables", r"\m\w*clables\M"), ("v?lo*", r"\mv\wlo\w*\M"),
        ("*É**", r"\m\w*e\w*\M"), ("*'); DROP", r"\m\w*drop\M"), ("*", None),
    ])
    def test_patterns_hold_no_user_regex_syntax(self, term, expected):
        assert lucene._word_regex(term) == expected


class TestMinimumShouldMatch:
    @pytest.mark.parametrize("spec, clauses, expected", [
        (None, 3, 3), ("", 3, 3), ("1", 3, 1), ("5", 3, 3), ("-1", 3, 2), ("-5", 3, 0),
        ("75%", 4, 3), ("75%", 3, 2), ("-25%", 4, 3), ("-25%", 3, 3),
        ("2<-1 5<80%", 1, 1), ("2<-1 5<80%", 2, 2), ("2<-1 5<80%", 3, 2),
        ("2<-1 5<80%", 5, 4), ("2<-1 5<80%", 6, 4), ("2<-1 5<80%", 10, 8),
        ("3<90%", 3, 3), ("3<90%", 4, 3), ("1", 0, 0),
    ])
    def test_solr_mm_syntax(self, spec, clauses, expected):
        assert lucene.min_should_match(spec, clauses) == expected

    @pytest.mark.parametrize("spec", ["x", "2<", "<3", "%", "1.5"])
    def test_invalid(self, spec):
        with pytest.raises(lucene.QuerySyntaxError):
            lucene.min_should_match(spec, 3)

    @pytest.mark.parametrize("text, expected", [
        ("a && b", "a  AND  b"), ("a || b", "a  OR  b"), ("!a", "NOT a"),
        ("a (!b)", "a (NOT b)"), ('"a && !b"', '"a && !b"'), (r"a\!b", r"a\!b"),
        ("a!b", "a!b"),
    ])
    def test_symbolic_operators(self, text, expected):
        assert lucene.normalize_operators(text) == expected


@pytest.mark.usefixtures("catalogue")
class TestFacets:
    def facets(self, **params):
        return search(**params)["facets"]

    def test_facet_on_any_indexed_field(self):
        result = self.facets(**{"facet.field": json.dumps(
            ["extras_theme", "res_extras_couverture", "release_date", "name"])})
        assert result["extras_theme"] == {"transport actif": 2, "infrastructures": 1}
        assert result["res_extras_couverture"] == {"Montréal": 1}
        assert len(result["release_date"]) == 2
        assert len(result["name"]) == 6

    def test_counts_cover_the_whole_result_not_the_page(self):
        result = search(rows=1, q="comptage", **{"facet.field": json.dumps(["tags"])})
        assert result["facets"]["tags"] == {"vélo": 2, "hiver": 1}

    def test_limit_mincount_and_sort_on_the_connection(self):
        connection = PostgresSolr()
        common = {"facet": "true", "facet.field": ["tags"], "rows": 0}
        by_count = connection.search("*:*", **common).facets["facet_fields"]["tags"]
        assert by_count[:2] == ["vélo", 2]
        by_index = connection.search("*:*", **common, **{"facet.sort": "index"})
        assert by_index.facets["facet_fields"]["tags"][::2] == sorted(by_count[::2])
        limited = connection.search("*:*", **common, **{"f.tags.facet.limit": 1})
        assert limited.facets["facet_fields"]["tags"] == ["vélo", 2]
        frequent = connection.search("*:*", **common, **{"facet.mincount": 2})
        assert frequent.facets["facet_fields"]["tags"] == ["vélo", 2]


@pytest.mark.usefixtures("catalogue")
class TestSorting:
    def test_sort_on_a_dynamic_date_field(self):
        result = search(fq="release_date:*", sort="release_date desc")
        assert [d["name"] for d in result["results"]] == ["velo-hiver", "velo-ete"]

    def test_sort_on_an_extra_string(self):
        result = search(fq="extras_theme:*", sort="extras_theme asc, name asc")
        assert [d["name"] for d in result["results"]] == ["ponts", "velo-ete", "velo-hiver"]

    @pytest.mark.parametrize("sort", ["views_total desc", "score desc, name asc",
                                      "metadata_modified asc", "title_string desc"])
    def test_sort_keys_ckan_offers(self, sort):
        assert search(sort=sort)["count"] == 6
