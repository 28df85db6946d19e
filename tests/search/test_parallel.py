"""Searches that read the index's two partitions side by side answer as one read does.

A large index is read one group of partitions per connection, and the
groups' pages, counts and facets are merged (parallel.py, merge.py). Here
every search runs both ways on one catalogue: the answers must be equal.
"""
from __future__ import annotations

import itertools
import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.common import config
from ckan.lib.search.common import make_connection
from ckan.tests import factories, helpers

from ckanext.quebec.search import connection, parallel

# Read-only classes share one catalogue, built with these plugins (shared_db);
# every size of index is read in parallel here.
pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
              pytest.mark.ckan_config(parallel.MIN_DOCUMENTS_OPTION, 0),
              pytest.mark.usefixtures("no_kept_answers")]

FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
SUBJECTS = ["Pistes cyclables", "Qualité de l'air", "Inspection des ponts",
            "Données de vélo", "Arbres publics", "Zones inondables"]
TAGS = ["vélo", "transport", "environnement", "ponts", "air", "données ouvertes"]
FORMATS = ["CSV", "JSON", "GeoJSON", "XLSX"]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    """48 public datasets (repeated words, tags, owners and sizes, so that ranks and
    sort keys tie), a private one and a draft."""
    organizations = [factories.Organization(name=f"organisme-{n}") for n in range(3)]
    groups = [factories.Group(name=f"groupe-{n}") for n in range(2)]
    licenses = itertools.cycle(["cc-by", "odc-odbl", "cc-zero"])
    for number in range(48):
        subject = SUBJECTS[number % len(SUBJECTS)]
        other = SUBJECTS[(number * 7 + 3) % len(SUBJECTS)]
        factories.Dataset(
            name=f"jeu-{number:02d}",
            title=f"{subject} {number // 6}",
            notes=f"{other}. Données de la ville, relevé {number % 5}.",
            owner_org=organizations[number % 3]["id"],
            groups=[{"name": groups[n]["name"]} for n in range(number % 3) if n < 2],
            tags=[{"name": TAGS[(number + n) % len(TAGS)]} for n in range(number % 4)],
            license_id=next(licenses),
            resources=[{"url": f"http://example.com/{number}-{n}",
                        "format": FORMATS[(number + n) % len(FORMATS)]}
                       for n in range(number % 4)])
    # Hidden from the searches below, whichever way they read the index.
    factories.Dataset(name="jeu-prive", title="Données de vélo privées", private=True,
                      owner_org=organizations[0]["id"], tags=[{"name": "vélo"}])
    factories.Dataset(name="jeu-brouillon", title="Données de vélo", state="draft",
                      owner_org=organizations[0]["id"])
    with model.ensure_engine().connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("quebec_search_document_0", "quebec_search_document_1")}


@pytest.fixture
def parallel_reads(monkeypatch):
    """The searches that went through parallel.run."""
    calls = []
    run = parallel.run

    def counted(first, others):
        calls.append(len(others) + 1)
        return run(first, others)

    monkeypatch.setattr(parallel, "run", counted)
    return calls


def _both_ways(monkeypatch, parallel_reads, search):
    """(answer read in parallel, answer read on one connection)."""
    answer = search()
    assert parallel_reads == [2]
    monkeypatch.setitem(config, parallel.WORKERS_OPTION, 1)
    alone = search()
    assert parallel_reads == [2]
    return answer, alone


FACET_FIELDS = json.dumps(FACETS)
SEARCHES = {
    "words and facets": {"q": "pistes cyclables", "facet.field": FACET_FIELDS, "rows": 5},
    "second page": {"q": "données", "facet.field": FACET_FIELDS, "rows": 4, "start": 3},
    "past the last match": {"q": "vélo", "facet.field": FACET_FIELDS, "rows": 5, "start": 500},
    "count only": {"q": "données", "facet.field": FACET_FIELDS, "rows": 0},
    "sorted by a number": {"q": "données", "sort": "num_resources asc, name desc", "rows": 40},
    "sorted by a date": {"q": "ville", "sort": "metadata_modified asc", "rows": 40},
    "sorted by text, descending": {"q": "vélo OR ponts", "sort": "title_string desc",
                                   "rows": 7, "start": 2},
    "ties broken alike": {"q": "données", "sort": "num_resources desc", "rows": 40, "start": 5},
    "facet limit and minimum": {"q": "données", "facet.field": FACET_FIELDS,
                                "facet.limit": 2, "facet.mincount": 4, "rows": 3},
    "filtered": {"q": "données", "fq": "organization:organisme-1", "facet.field": FACET_FIELDS},
    "phrase and exclusion": {"q": '"qualité de l\'air" -ponts', "facet.field": '["tags"]'},
}


@pytest.mark.usefixtures("catalogue")
class TestParallelReadsAnswerAsOneRead:
    def test_the_catalogue_is_in_both_partitions(self, catalogue):
        assert all(count >= 10 for count in catalogue.values())
        assert sum(catalogue.values()) == 50

    @pytest.mark.parametrize("params", SEARCHES.values(), ids=SEARCHES.keys())
    def test_package_search(self, monkeypatch, parallel_reads, params):
        answer, alone = _both_ways(
            monkeypatch, parallel_reads,
            lambda: helpers.call_action("package_search", **params))
        assert answer["count"] == alone["count"] > 0
        assert [d["name"] for d in answer["results"]] == [d["name"] for d in alone["results"]]
        assert answer["search_facets"] == alone["search_facets"]
        assert answer["facets"] == alone["facets"]

    def test_private_datasets_and_drafts_follow_permissions(self, parallel_reads):
        sysadmin = factories.Sysadmin(name="admin-parallele")

        def found(user):
            return {d["name"] for d in helpers.call_action(
                "package_search", context={"user": user, "ignore_auth": False}, q="vélo",
                rows=100, include_private=True, include_drafts=True)["results"]}

        anonymous, admin = found(""), found(sysadmin["name"])
        assert parallel_reads == [2, 2]
        assert {"jeu-prive", "jeu-brouillon"} & anonymous == set()
        assert {"jeu-prive", "jeu-brouillon"} <= admin
        assert anonymous < admin

    def test_pages_put_together_are_the_whole_ranking(self, monkeypatch, parallel_reads):
        everything = helpers.call_action("package_search", q="données ville", rows=100)
        pages = [helpers.call_action("package_search", q="données ville", rows=7, start=start)
                 for start in range(0, everything["count"], 7)]
        assert [d["name"] for page in pages for d in page["results"]] == [
            d["name"] for d in everything["results"]]
        assert len(set(parallel_reads)) == 1 and len(parallel_reads) == len(pages) + 1

    @pytest.mark.parametrize("options", [
        {"facet.sort": "index", "facet.limit": 3},
        {"f.tags.facet.limit": 1, "f.organization.facet.sort": "index"},
        {"facet.limit": -1, "facet.mincount": 2},
    ], ids=["sorted by value", "per-field options", "no limit"])
    def test_facet_options_solr_takes(self, monkeypatch, parallel_reads, options):
        def search():
            results = make_connection().search(
                q="données", fl="id,score", rows=10, sort="score desc, name asc",
                facet="true", **{"facet.field": FACETS}, **options)
            return results.hits, [doc["id"] for doc in results.docs], results.facets
        answer, alone = _both_ways(monkeypatch, parallel_reads, search)
        assert answer == alone
        assert answer[0] > 0 and any(answer[2]["facet_fields"].values())

    def test_scores_are_those_of_one_read(self, monkeypatch, parallel_reads):
        def search():
            results = make_connection().search(q="vélo", fl="id,score", rows=50,
                                               defType="edismax", qf="text")
            return [(doc["id"], doc["score"]) for doc in results.docs]
        answer, alone = _both_ways(monkeypatch, parallel_reads, search)
        assert answer == alone and len(answer) > 1


@pytest.mark.usefixtures("catalogue")
class TestWhenPartitionsAreReadInParallel:
    def test_a_small_index_is_read_on_one_connection(self, monkeypatch, parallel_reads):
        monkeypatch.setitem(config, parallel.MIN_DOCUMENTS_OPTION, 10_000)
        result = helpers.call_action("package_search", q="données",
                                     **{"facet.field": '["tags"]'})
        assert result["count"] > 0 and parallel_reads == []

    def test_the_home_page_reads_counts_not_documents(self, parallel_reads):
        # Filters on signature fields only: the segments' counts answer it.
        result = helpers.call_action("package_search", rows=2,
                                     **{"facet.field": FACET_FIELDS})
        assert result["count"] == 48 and parallel_reads == []

    def test_a_filtered_search_with_facets_reads_in_parallel(self, parallel_reads):
        result = helpers.call_action("package_search", fq="organization:organisme-0",
                                     rows=2, **{"facet.field": FACET_FIELDS})
        assert result["count"] == 16 and parallel_reads == [2]


class TestSignatureKeys:
    """Searches read in parallel pick documents by their signature's key."""

    def test_the_keys_of_the_segments_the_filters_keep(self):
        assert connection.segment_keys([(11, True, True), (12, False, False),
                                        (13, True, True)]) == [11, 13]

    def test_no_keys_when_filters_tell_apart_segments_sharing_a_key(self):
        # Two signatures with one key, one kept and one not: the key alone
        # would let the other's documents through; the jsonb tests stay.
        assert connection.segment_keys([(11, True, True), (12, False, True)]) is None

    def test_nothing_kept_is_no_key(self):
        assert connection.segment_keys([(11, False, False)]) == []

    @pytest.mark.usefixtures("clean_db", "with_plugins")
    def test_documents_hold_their_signature_key(self):
        factories.Dataset(name="cle", private=False)
        with model.ensure_engine().connect() as db:
            held, expected = db.execute(sa.text(
                "SELECT signature_key, hashtextextended(signature::text, 0)"
                " FROM quebec_search_document WHERE name = 'cle'")).one()
        assert held == expected


@pytest.mark.usefixtures("clean_db")
def test_partitions_changed_by_another_process_are_read_again(parallel_reads):
    """What a process read of the partitions (trusted for a minute) may be changed
    by another one (a migration): the search reads them again, not a 500."""
    for number in range(4):
        factories.Dataset(name=f"jeu-{number}", title="Pistes cyclables")
    search = make_connection()
    words = {"q": "pistes", "fl": "name", "rows": 10}
    assert search.search(**words).hits == 4
    assert parallel_reads == [2]
    engine = model.ensure_engine()
    with engine.begin() as writer:
        writer.execute(sa.text(
            "ALTER TABLE quebec_search_document_1 RENAME TO quebec_search_document_un"))
    try:
        assert search.search(**words).hits == 4
        assert parallel_reads == [2, 2, 2]  # the stale names' read, then the new ones'
    finally:
        with engine.begin() as writer:
            writer.execute(sa.text(
                "ALTER TABLE quebec_search_document_un RENAME TO quebec_search_document_1"))
        parallel.reset()
