"""A search asked again while nothing has changed is answered from the answers
the process keeps; after any committed write it reads the index again.

The snapshot that keys a kept answer is the whole database cluster's: while
other processes write (the suite's other CKAN version runs beside this one),
two searches may seldom see the same one. Tests of a kept answer therefore
read the snapshot around the two searches themselves and assert only when it
stayed the same, trying again otherwise; the tests of writes assert on every
run, whatever else the cluster does.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers

from ckanext.quebec import config as suite_config
from ckanext.quebec.search import result_cache

from .helpers import in_another_process, sent_statements

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
              pytest.mark.usefixtures("clean_db")]

FACETS = json.dumps(["tags", "organization", "res_format"])
# The tries a kept answer gets before the test gives up on a quiet moment.
TRIES = 300


@pytest.fixture
def catalogue():
    org = factories.Organization(name="ville")
    return {name: factories.Dataset(
        name=name, title=title, owner_org=org["id"],
        tags=[{"name": tag} for tag in tags],
        extras=[{"key": "theme", "value": "mobilité"}],
        resources=[{"url": f"http://127.0.0.1/{name}.csv", "format": "CSV"}])
        for name, title, tags in (("pistes", "Pistes cyclables", ["velo", "ete"]),
                                  ("comptages", "Comptages de vélos", ["velo"]),
                                  ("parcs", "Parcs et espaces verts", ["ete"]))}


def search(**params):
    return helpers.call_action("package_search", **{"facet.field": FACETS, **params})


def snapshot() -> str:
    with model.ensure_engine().connect() as connection:
        return connection.execute(sa.text("SELECT CAST(pg_current_snapshot() AS text)")
                                  ).scalar_one()


def index_reads():
    """The statements that read quebec_search's tables, on any connection."""
    return sent_statements(lambda statement: "quebec_search" in statement)


def asked_again_unchanged(**params) -> tuple[dict, dict, list[str]]:
    """(first answer, second answer, the second's index reads) of a search
    asked twice while no transaction of the cluster completed."""
    for _ in range(TRIES):
        before = snapshot()
        first = search(**params)
        with index_reads() as reads:
            second = search(**params)
        if snapshot() == before:
            return first, second, reads
    pytest.fail(f"the database cluster never stayed unchanged over two searches ({TRIES} tries)")


@pytest.mark.usefixtures("catalogue")
class TestAskedAgain:
    @pytest.mark.parametrize("params", [
        {"q": "vélos"},
        {"q": "", "fq": "+dataset_type:dataset", "rows": 2},
        {"q": "pistes OR parcs", "sort": "name desc", "rows": 1, "start": 1},
        {"q": "tags:velo", "facet.limit": 1, "facet.mincount": 2},
    ])
    def test_is_answered_without_reading_the_index(self, params):
        first, second, reads = asked_again_unchanged(**params)
        assert reads == []
        assert second == first
        assert first["count"] > 0

    def test_the_answer_handed_out_is_a_copy(self):
        # CKAN reshapes what the index returns (facets, extras) at each
        # search: a kept answer handed out twice would be reshaped twice.
        first, second, reads = asked_again_unchanged(q="pistes")
        assert reads == []
        assert second["search_facets"]["tags"]["items"]
        assert second["results"][0]["extras"] == [{"key": "theme", "value": "mobilité"}]
        assert second == first

    def test_searches_of_the_time_read_the_index_each_time(self):
        params = {"q": "vélos", "fq": "metadata_modified:[NOW-1DAY TO NOW]"}
        search(**params)
        with index_reads() as reads:
            assert search(**params)["count"] == 2
        assert reads

    def test_none_is_kept_when_the_option_is_0(self, monkeypatch):
        monkeypatch.setitem(config, suite_config.SEARCH_RESULT_CACHE_MB, 0)
        search(q="vélos")
        with index_reads() as reads:
            assert search(q="vélos")["count"] == 2
        assert reads


class TestWrites:
    def test_a_dataset_written_is_found_by_the_next_search(self, catalogue):
        assert search(q="vélos")["count"] == 2
        search(q="vélos")
        factories.Dataset(name="velos-hiver", title="Vélos en hiver")
        assert search(q="vélos")["count"] == 3
        helpers.call_action("package_patch", id=catalogue["comptages"]["id"],
                            title="Comptages de piétons", tags=[])
        answer = search(q="vélos")
        assert {d["name"] for d in answer["results"]} == {"pistes", "velos-hiver"}
        helpers.call_action("package_delete", id=catalogue["pistes"]["id"])
        assert [d["name"] for d in search(q="vélos")["results"]] == ["velos-hiver"]

    def test_a_write_of_another_process_is_found_by_the_next_search(self, catalogue, request):
        assert search(q="piétons")["count"] == 0
        assert search(q="piétons")["count"] == 0
        in_another_process(request, OTHER_PROCESS, catalogue["comptages"]["id"])
        answer = search(q="piétons")
        assert [d["name"] for d in answer["results"]] == ["comptages"]
        assert answer["results"][0]["title"] == "Comptages de piétons"


# Run in another process: renames a dataset.
OTHER_PROCESS = ['tk.get_action("package_patch")({"user": user}, {"id": sys.argv[2],'
                 ' "title": "Comptages de piétons"})']


class TestKeys:
    URL = "postgresql://127.0.0.1/ckan"

    def test_the_reader_language_and_the_options_are_part_of_the_request(self, monkeypatch):
        key = result_cache.request_key(self.URL, "vélo", {"rows": 5}, "fr")
        assert key == result_cache.request_key(self.URL, "vélo", {"rows": 5}, "fr")
        assert key != result_cache.request_key(self.URL, "vélo", {"rows": 5}, "en")
        assert key != result_cache.request_key(self.URL, "vélo", {"rows": 6}, "fr")
        assert key != result_cache.request_key(self.URL + "2", "vélo", {"rows": 5}, "fr")
        monkeypatch.setitem(config, "ckanext.quebec.search.parallel_workers", 1)
        assert key != result_cache.request_key(self.URL, "vélo", {"rows": 5}, "fr")

    def test_the_order_of_the_parameters_does_not_matter(self):
        assert (result_cache.request_key(self.URL, "*:*", {"rows": 5, "start": 0}, "fr")
                == result_cache.request_key(self.URL, "*:*", {"start": 0, "rows": 5}, "fr"))

    def test_the_least_recently_asked_goes_first(self, monkeypatch):
        monkeypatch.setitem(config, suite_config.SEARCH_RESULT_CACHE_MB, 1)
        result_cache.forget()
        with result_cache._kept.lock:
            result_cache._kept.clear("1:1:")
        for name in "abcde":  # 5 × 200,000 bytes: within the megabyte
            result_cache._keep((name,), "1:1:", b"x" * 200_000)
        result_cache._kept.answers.move_to_end(("a",))  # asked again
        result_cache._keep(("f",), "1:1:", b"x" * 200_000)
        assert list(result_cache._kept.answers) == [(name,) for name in "cdeaf"]
        # Over a quarter of the megabyte: not kept.
        result_cache._keep(("g",), "1:1:", b"x" * 300_000)
        assert ("g",) not in result_cache._kept.answers
        # Kept under another snapshot than the present one: not kept.
        result_cache._keep(("h",), "2:2:", b"x")
        assert ("h",) not in result_cache._kept.answers
        result_cache.forget()
