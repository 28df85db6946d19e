"""The posting-list read (postings_read.py) against the statement, on a bilingual catalogue.

Every search is asked twice, with the lists on and off
(ckanext.quebec.search.posting_lists): same count, facet counts, page (ids
in order) and scores, as an anonymous visitor, an organization's member and
a sysadmin; after writes made since the build (read through the statement),
and after another build. Plans the lists do not answer fall back to the
statement.
"""
from __future__ import annotations

import random
import re
import threading

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.common import config
from ckan.lib import jobs, search
from ckan.tests import factories, helpers

from ckanext.quebec import config as suite_config
from ckanext.quebec.search import postings_build, postings_query, postings_read

from .helpers import installed, sent_statements

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]

SUBJECTS = [("pistes cyclables", "bike paths"), ("zones inondables", "flood zones"),
            ("écoles primaires", "primary schools"), ("budget municipal", "municipal budget"),
            ("qualité de l'air", "air quality"), ("arbres publics", "public trees"),
            ("collisions routières", "road collisions"), ("bornes de recharge", "charging stations"),
            ("stationnements", "parking lots"), ("permis de construction", "building permits"),
            ("bibliothèques", "libraries"), ("déneigement des rues", "snow removal")]
PLACES = ["Montréal", "Laval", "Québec", "Gatineau", "Sherbrooke", "Lévis", "Trois-Rivières"]
FORMATS = ["CSV", "JSON", "SHP", "XLSX", "GeoJSON"]
TAGS = ["transport", "environnement", "education", "finances", "securite", "culture"]
DATASETS = 240

QUERIES = [
    "pistes cyclables", "bike paths Laval", "zones inondables Gatineau", "flood zones",
    "écoles primaires Québec", "ecoles primaires", "école", "schools", "school Lévis",
    "budget municipal Montréal", "municipal budgets", "qualité de l'air", "the air quality",
    "air quality in Sherbrooke", "arbres", "public trees of Laval", "collisions routières Lévis",
    "road collisions", "bornes de recharge Trois-Rivières", "charging station", "stationnement",
    "parking lots Québec", "permis de construction Gatineau", "building permits",
    "bibliothèques Montréal", "libraries", "déneigement", "snow removal in Montréal",
    "rues de Laval", "de la des", "données ouvertes", "open data for the city", "Montreal",
    "Quebec city libraries schools", "vélo piste cyclable Laval Montréal",
    "budget zones arbres écoles parking", "the of and", "l'air", "Trois-Rivières",
]


def _title(rng: random.Random, number: int) -> tuple[str, str]:
    fr, en = SUBJECTS[number % len(SUBJECTS)]
    place = rng.choice(PLACES)
    return f"{fr.capitalize()} - {place}", f"{en.capitalize()} - {place}"


@pytest.fixture(scope="class")
def catalogue(shared_db):
    """Organizations, a member, a sysadmin and their datasets (public, private,
    drafts), then a build of the lists."""
    rng = random.Random(2126)
    member = factories.User(name="membre-listes")
    sysadmin = factories.Sysadmin(name="admin-listes")
    orgs = [factories.Organization(name="ville-listes", users=[
        {"name": member["name"], "capacity": "member"}])] + [
        factories.Organization(name=f"org-listes-{number}") for number in range(3)]
    names = []
    for number in range(DATASETS):
        fr, en = _title(rng, number)
        org = orgs[number % len(orgs)]
        words = " ".join(rng.choice(SUBJECTS)[rng.randrange(2)] for _ in range(rng.randrange(1, 6)))
        name = f"listes-{number:03d}"
        factories.Dataset(
            name=name, title=fr if number % 3 else en, owner_org=org["id"],
            private=number % 7 == 0, state="draft" if number % 17 == 0 else "active",
            notes=f"{fr}. {en}. {words}",
            tags=[{"name": tag} for tag in rng.sample(TAGS, rng.randrange(0, 3))],
            extras=[{"key": "description_fr", "value": f"{fr} {words}"},
                    {"key": "description_en", "value": en}],
            resources=[{"url": f"http://example.com/{name}/{index}", "format": rng.choice(FORMATS),
                        "name": rng.choice(PLACES)} for index in range(rng.randrange(0, 3))])
        names.append(name)
    build_id = postings_build.build()
    return {"member": member, "sysadmin": sysadmin, "orgs": orgs, "names": names,
            "build": build_id}


@pytest.fixture
def listed(monkeypatch):
    """The searches the lists answered (postings_read.read did not fall back)."""
    answered = []
    read = postings_read.read

    def spy(connection, plan, facets):
        answer = read(connection, plan, facets)
        answered.append(answer is not None)
        return answer

    monkeypatch.setattr(postings_read, "read", spy)
    monkeypatch.setitem(config, suite_config.SEARCH_RESULT_CACHE_MB, 0)
    return answered


def _search(user: str | None, lists: bool, **params):
    context = {"user": user or "", "ignore_auth": False}
    previous = config.get(suite_config.SEARCH_POSTING_LISTS)
    config[suite_config.SEARCH_POSTING_LISTS] = lists
    try:
        result = helpers.call_action(
            "package_search", context=context, fl="name,score", rows=params.pop("rows", 21),
            **{"facet.field": '["organization", "tags", "res_format", "license_id"]',
               "facet.limit": -1, **params})
    finally:
        config[suite_config.SEARCH_POSTING_LISTS] = previous
    return result


def _same(user: str | None, **params) -> None:
    by_lists = _search(user, True, **params)
    by_statement = _search(user, False, **params)
    what = (user, params)
    assert by_lists["count"] == by_statement["count"], what
    assert by_lists["facets"] == by_statement["facets"], what
    assert [row["name"] for row in by_lists["results"]] == [
        row["name"] for row in by_statement["results"]], what
    assert [row["score"] for row in by_lists["results"]] == [
        row["score"] for row in by_statement["results"]], what


def _every_query(catalogue) -> None:
    for q in QUERIES:
        _same(None, q=q)
        _same(catalogue["member"]["name"], q=q, include_private=True)
        _same(catalogue["sysadmin"]["name"], q=q, include_private=True, include_drafts=True)


# A statement that writes or locks for writing.
_WRITING = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE|LOCK|CREATE|ALTER|DROP)\b"
                      r"|FOR UPDATE|pg_advisory|pg_try_advisory", re.IGNORECASE)


def _current():
    with model.ensure_engine().connect() as connection:
        return postings_build.current(connection)


def _queued_at():
    with model.ensure_engine().connect() as connection:
        return connection.execute(sa.text(
            "SELECT rebuild_queued_at FROM quebec_search_posting_build"
            " WHERE state = 'current'")).scalar()


def _states() -> list[str]:
    with model.ensure_engine().connect() as connection:
        return list(connection.execute(sa.text(
            "SELECT state FROM quebec_search_posting_build ORDER BY id")).scalars())


def _changed() -> int:
    with model.ensure_engine().connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM quebec_search_changed")).scalar()


@pytest.mark.usefixtures("catalogue")
class TestPostingLists:
    """In order: the build, writes after it, another build, fallbacks."""

    def test_build_is_current_and_nothing_changed(self, catalogue):
        with model.ensure_engine().connect() as connection:
            assert postings_build.current(connection) == catalogue["build"]
        assert _changed() == 0

    def test_same_answers_as_the_statement(self, catalogue, listed):
        _every_query(catalogue)
        assert listed and all(listed)

    def test_pages_beyond_the_first(self, catalogue, listed):
        for start in (0, 5, 21, 40):
            _same(None, q="budget municipal", start=start, rows=7)
            _same(catalogue["sysadmin"]["name"], q="zones écoles", start=start, rows=10,
                  include_private=True)
        assert all(listed)

    def test_same_answers_after_writes(self, catalogue, listed):
        names, orgs = catalogue["names"], catalogue["orgs"]
        admin = {"user": catalogue["sysadmin"]["name"], "ignore_auth": True}
        helpers.call_action("package_create", context=dict(admin), name="listes-nouveau",
                            title="Pistes cyclables nouvelles à Laval", owner_org=orgs[0]["id"],
                            notes="Bike paths, new ones, and trottinettes")
        helpers.call_action("package_patch", context=dict(admin), id=names[1],
                            title="Zones inondables de Gatineau, révisées")
        helpers.call_action("package_delete", context=dict(admin), id=names[2])
        helpers.call_action("package_patch", context=dict(admin), id=names[4], private=True)
        helpers.call_action("package_patch", context=dict(admin), id=names[5],
                            owner_org=orgs[2]["id"])
        assert _changed() >= 5
        _every_query(catalogue)
        _same(None, q="pistes cyclables nouvelles")
        # Words only a changed document holds, and words no document holds.
        assert _search(None, True, q="trottinettes")["count"] == 1
        _same(None, q="trottinettes")
        _same(None, q="hydravions")
        assert all(listed)

    def test_a_build_after_writes(self, catalogue, listed):
        with model.ensure_engine().connect() as connection:
            before = postings_build.current(connection)
        assert postings_build.build() > before
        assert _changed() == 0
        _every_query(catalogue)
        assert all(listed)

    def test_writes_after_the_second_build(self, catalogue, listed):
        admin = {"user": catalogue["sysadmin"]["name"], "ignore_auth": True}
        helpers.call_action("package_patch", context=dict(admin), id=catalogue["names"][10],
                            title="Bibliothèques de Montréal et de Laval")
        for q in ("bibliothèques Montréal", "libraries", "Laval"):
            _same(None, q=q)
        assert all(listed)

    def test_other_plans_read_the_statement(self, catalogue, listed):
        _same(None, q="pistes cyclables", fq="tags:transport")
        _same(None, q="pistes cyclables", sort="metadata_modified desc")
        _same(None, q="name:listes-001")
        _same(None, q='"bike paths"')
        assert not any(listed)

    def test_a_search_writes_nothing(self, catalogue, listed, monkeypatch):
        monkeypatch.setitem(config, suite_config.SEARCH_POSTINGS_REBUILD_PERCENT, 0)
        assert _changed() > 0
        with sent_statements() as seen:
            _same(None, q="bibliothèques")
            _same(catalogue["member"]["name"], q="libraries", include_private=True)
        assert listed == [True, True]
        assert seen and not [sql for sql in seen if _WRITING.search(sql)]
        assert _queued_at() is None

    def test_many_changes_queue_a_build_for_the_worker(self, catalogue, listed, monkeypatch):
        monkeypatch.setitem(config, suite_config.SEARCH_POSTINGS_REBUILD_PERCENT, 1)
        before = _current()
        queue = jobs.get_queue()
        queue.empty()
        for number in range(3):  # more than 1 % of the index, on the write path
            helpers.call_action("package_patch", id=catalogue["names"][20 + number],
                                notes=f"Bibliothèques de quartier {number}")
        assert _queued_at() is not None
        assert [job.func_name for job in queue.jobs] == [
            "ckanext.quebec.search.postings_build.build_job"]  # once per build
        jobs.Worker(["default"]).work(burst=True)
        assert _current() != before and _changed() == 0
        assert _queued_at() is None
        _same(None, q="bibliothèques quartier")
        assert listed == [True]

    def test_truncate_leaves_no_build(self, catalogue, listed):
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("TRUNCATE quebec_search_document"))
            assert postings_build.current(connection) is None
        assert _changed() == 0
        _search(None, True, q="pistes")
        assert listed == [False]

    def test_off_reads_the_statement(self, listed):
        _search(None, False, q="pistes cyclables")
        assert not listed

    def test_no_build_lists_no_change(self, catalogue):
        # After the TRUNCATE above no build is current: writes are not listed.
        helpers.call_action("package_patch", id=catalogue["names"][30], notes="Sans liste")
        assert _changed() == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_turned_off_the_lists_are_dropped_by_the_worker(monkeypatch):
    factories.Dataset(name="velo-laval", title="Pistes cyclables de Laval")
    postings_build.build()
    factories.Dataset(name="velo-levis", title="Pistes cyclables de Lévis")
    assert _changed() == 1
    monkeypatch.setitem(config, suite_config.SEARCH_POSTING_LISTS, False)
    queue = jobs.get_queue()
    queue.empty()
    helpers.call_action("package_patch", id="velo-levis", notes="Lévis")
    assert _changed() == 0
    assert _states() == ["invalid"]
    assert [job.func_name for job in queue.jobs] == [
        "ckanext.quebec.search.postings_build.drop_invalid_job"]
    jobs.Worker(["default"]).work(burst=True)
    assert _states() == []
    helpers.call_action("package_patch", id="velo-levis", notes="Lévis, encore")
    assert _changed() == 0 and not queue.jobs


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_build_waits_for_a_writer_it_could_miss():
    """A writer whose trigger ran before the build was announced is waited for,
    so its write is in the build's snapshot (it is not listed as changed)."""
    factories.Dataset(name="velo-laval", title="Pistes cyclables de Laval")
    engine = model.ensure_engine()
    writer = engine.connect()
    transaction = writer.begin()
    writer.execute(sa.text(
        "UPDATE quebec_search_document SET search_text = search_text"
        " || to_tsvector('simple', 'zorglub')"))
    built: list[int] = []
    thread = threading.Thread(target=lambda: built.append(postings_build.build()))
    thread.start()
    thread.join(0.5)
    assert thread.is_alive() and not built
    transaction.commit()
    writer.close()
    thread.join(30)
    assert built
    assert _changed() == 0
    with engine.connect() as connection:
        assert connection.execute(sa.text(
            "SELECT df FROM quebec_search_posting_list WHERE build_id = :b AND field = 0"
            " AND lexeme = 'zorglub'"), {"b": built[0]}).scalar() == 1


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_writer_left_open_fails_the_build(monkeypatch):
    factories.Dataset(name="velo-laval", title="Pistes cyclables de Laval")
    monkeypatch.setattr(postings_build, "_WRITERS_TIMEOUT", 0.3)
    with model.ensure_engine().connect() as writer:
        transaction = writer.begin()
        writer.execute(sa.text("UPDATE quebec_search_document SET name = name"))
        with pytest.raises(RuntimeError, match="stayed open"):
            postings_build.build()
        transaction.rollback()
    assert _states() == ["invalid"]
    assert _current() is None


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_failed_build_leaves_nothing_listed():
    factories.Dataset(name="velo-laval", title="Pistes cyclables de Laval")
    with installed(["CREATE FUNCTION quebec_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
                    "CREATE TRIGGER quebec_test_refuse BEFORE INSERT ON quebec_search_posting_list"
                    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_test_refuse()"],
                   ["DROP TRIGGER quebec_test_refuse ON quebec_search_posting_list",
                    "DROP FUNCTION quebec_test_refuse()"]):
        with pytest.raises(Exception, match="refused by the test"):
            postings_build.build()
    assert _states() == ["invalid"]
    factories.Dataset(name="velo-levis", title="Pistes cyclables de Lévis")
    assert _changed() == 0


def test_a_words_tsquery_is_read_as_a_tree():
    assert postings_query.parse("") is None
    assert postings_query.parse("'l''air' & ( 'b' | !'c\\\\d' )") == (
        "&", ("v", "l'air"), ("|", ("v", "b"), ("!", ("v", "c\\d"))))
    assert postings_query.rank_items(postings_query.parse("'zz' | 'a' | 'zz' | 'ab'")) == [
        "a", "ab", "zz"]


@pytest.mark.parametrize("text", ["'a' <-> 'b'", "'a' <2> 'b'", "'a':*", "'a':AB", "'a' &"])
def test_other_tsqueries_are_left_to_the_statement(text):
    with pytest.raises(postings_query.Unsupported):
        postings_query.parse(text)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_rebuild_of_the_index_builds_the_lists(listed):
    factories.Dataset(name="velo-laval", title="Pistes cyclables de Laval")
    factories.Dataset(name="velo-levis", title="Pistes cyclables de Lévis", private=False)
    with model.ensure_engine().connect() as connection:
        assert postings_build.current(connection) is None
    search.rebuild(quiet=True)
    with model.ensure_engine().connect() as connection:
        assert postings_build.current(connection) is not None
    assert _changed() == 0
    _same(None, q="pistes cyclables Laval")
    assert listed == [True]

