"""The differential oracle: the same catalogue and the same package_search calls on Solr and quebec_search.

The demo catalogue (as ``ckan quebec demo load``'s loader maps it) and a
generated one (tests/solr/oracle_catalogue.py) are written once to the
database, then CKAN's own rebuild indexes every dataset once, each document
going to both Solr and quebec_search (the cheapest honest way: the same
documents, built once by CKAN, written through each backend's connection).
The generated calls (tests/solr/oracle_calls.py) go through CKAN's action
layer on quebec_search, then with quebec_search unloaded and CKAN on Solr.
Count, facets and, for a sort whose order is total, the page of ids must be
identical; pages sorted by relevance share most of their top ten. A
difference that is intended (docs/solr.md, "Intended differences") is
recognised by a rule of ``INTENDED`` below; any other fails the test.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import multiprocessing
import os
import re
import traceback
from typing import Any, Callable, Iterator

import pysolr
import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model, plugins
from ckan.common import config
from ckan.lib import search
from ckan.tests import factories, helpers
from ckan.tests.helpers import _get_test_app

from ckanext.quebec import compat_ckan
from ckanext.quebec.demo import loader
from ckanext.quebec.search import backend
from ckanext.quebec.search import fields as solr_fields
from ckanext.quebec.search.connection import PostgresSolr

from . import oracle_calls, oracle_catalogue

pytestmark = pytest.mark.search_backend("solr")

PLUGINS = "scheming_datasets scheming_organizations quebec_schema spatial_metadata spatial_query"
OPTIONS = {
    "ckanext.spatial.search_backend": "solr-bbox",
    "ckan.search.solr_allowed_query_parsers": ["frange"],
    # The datasets are indexed once, by the rebuild, into both backends.
    "ckan.search.automatic_indexing": False,
}
# Issue #21 asks for 0.8; measured 0.875 (docs/solr.md): quebec_search orders
# near-ties as BM25's length norms do. The bound stays below the measure: the
# ranking formulas still differ (no idf, ts_rank against BM25).
MEAN_OVERLAP = 0.85
TOP = 10
# Debugging aid, off by default: QUEBEC_ORACLE_DUMP=<file> writes every call
# with both answers and their overlap to that file as JSON, worst overlap first,
# and leaves quebec_search's index in the test database.
DUMP = os.environ.get("QUEBEC_ORACLE_DUMP")


@dataclasses.dataclass
class Answer:
    count: int | None = None
    facets: dict[str, list] = dataclasses.field(default_factory=dict)
    names: list[str] = dataclasses.field(default_factory=list)
    scores: list[float | None] = dataclasses.field(default_factory=list)
    error: str | None = None


@dataclasses.dataclass
class Comparison:
    call: oracle_calls.Call
    postgres: Answer
    solr: Answer
    # what differs: "count", "facets", "page"; each with the rule that intends it, or None
    differences: dict[str, str | None]
    overlap: float | None


_FIELD_RE = re.compile(r"(?<![\\\w.])([A-Za-z_][\w.]*):")


def _analysed_words(comparison: Comparison, what: str) -> bool:
    """The call's ``q`` has words the engines analyse: plain words, or a text field's terms.

    quebec_search stems each language's text with PostgreSQL's French or
    English dictionaries, stop words dropped; Solr's catch-all ``text`` (CKAN's
    type) stems everything with the English Porter stemmer and keeps stop
    words, and its ``*_fr`` fields use the French light stemmer.
    """
    q = comparison.call.params.get("q") or ""
    fields = _FIELD_RE.findall(q)
    return bool(q.strip()) and (not fields or any(solr_fields.kind_of(name) == solr_fields.TEXT
                                                  for name in fields))


def _zero_counts_only(comparison: Comparison, what: str) -> bool:
    """facet.mincount=0: the facets differ only by values listed with a count of 0.

    quebec_search lists them for counted fields only, and only the values of
    datasets the searcher may see; Solr lists every value of the index.
    """
    if what != "facets":
        return False
    for field, ours in comparison.postgres.facets.items():
        theirs = comparison.solr.facets.get(field, [])
        if [item for item in ours if item[1]] != [item for item in theirs if item[1]]:
            return False
    return True


# Intended differences (docs/solr.md, "Intended differences"): name -> whether a difference is one.
INTENDED: dict[str, Callable[[Comparison, str], bool]] = {
    "zero counts": _zero_counts_only,
    "word analysis": _analysed_words,
}


class BothIndexes:
    """CKAN's search connection while the oracle indexes: each call to quebec_search and to Solr."""

    def __init__(self, solr_url: str) -> None:
        self.connections = (PostgresSolr(), pysolr.Solr(solr_url, always_commit=False, timeout=120))

    def add(self, docs: list[dict[str, Any]], commit: bool = True, **kwargs: Any) -> None:
        for connection in self.connections:
            connection.add(copy.deepcopy(docs), commit=commit, **kwargs)

    def delete(self, **kwargs: Any) -> None:
        for connection in self.connections:
            connection.delete(**kwargs)

    def commit(self, **kwargs: Any) -> None:
        for connection in self.connections:
            connection.commit(**kwargs)


@contextlib.contextmanager
def plugins_on(names: str, **options: Any) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**OPTIONS, **options, "ckan.plugins": names}.items():
            patch.setitem(config, key, value)
        plugins.load_all()
        yield


def _build_catalogue(reset_db: Callable, migrate_db_for: Callable) -> oracle_catalogue.Catalogue:
    reset_db()
    migrate_db_for("quebec_search")
    # CKAN's migrations leave the model on their NullPool engine: a new
    # connection for every statement. The plugins' load gives it a pool again.
    plugins.load_all()
    sysadmin = factories.Sysadmin(name="sysadmin")
    for name in ("member", "editor"):
        factories.User(name=name)
    _load_demo(sysadmin["name"])
    as_sysadmin = {"user": sysadmin["name"]}
    for name in oracle_catalogue.ORGANIZATIONS:
        helpers.call_action("organization_create", context=dict(as_sysadmin), name=name, title=name)
    for organization, user, role in (("ville-de-laval", "member", "member"),
                                     ("universite-oracle", "member", "editor"),
                                     ("ville-de-laval", "editor", "editor"),
                                     ("ville-de-trois-rivieres", "editor", "editor")):
        helpers.call_action("organization_member_create", context=dict(as_sysadmin),
                            id=organization, username=user, role=role)
    return oracle_catalogue.write()


def _load_demo(user: str) -> None:
    """The demo catalogue as ``ckan quebec demo load`` maps it, each dataset made in one call.

    The loader's own mapping (_schema_dataset, _resource_dict); the files are
    linked rather than uploaded, which changes nothing the index holds but
    their URLs, and saves the three writes per dataset of the loader's resumable load.
    """
    catalogue = loader.read_catalogue()
    load = loader._Loader(user, catalogue, loader.files_directory(loader.default_catalogue_path()), schema=True)
    for organization in catalogue["organizations"]:
        load.ensure_group(organization, is_organization=True)
    for group in catalogue["groups"]:
        load.ensure_group(group, is_organization=False)
    for item in catalogue["datasets"]:
        data_dict = {**loader._schema_dataset(item), "state": "active", "resources": [
            {**load._resource_dict(resource), "format": resource.get("format") or catalogue["formats"][
                loader._extension(resource["file"])]["format"],
             "url": resource.get("url") or f"https://donnees.example.ca/demo/{resource['file']}"}
            for resource in item["resources"]]}
        helpers.call_action("package_create", context={"user": user}, **data_dict)


def _index_into_both(solr_url: str) -> None:
    """CKAN's rebuild (quebec_search's, in workers), each document to both backends."""
    # A connection per call, as CKAN's: the rebuild's workers are forked.
    compat_ckan.patch("make_connection", lambda decode_dates=True: BothIndexes(solr_url))
    try:
        search.clear_all()
        search.rebuild(defer_commit=True, quiet=True)
        search.commit()
    finally:
        backend.install()


def ask(call: oracle_calls.Call) -> Answer:
    context = {"user": call.user or "", "ignore_auth": False}
    try:
        result = helpers.call_action("package_search", context=context, **copy.deepcopy(call.params))
    except (tk.ValidationError, search.SearchError) as error:
        return Answer(error=type(error).__name__)
    return Answer(count=result["count"],
                  facets={field: list(values.items()) for field, values in result["facets"].items()},
                  names=[dataset["name"] for dataset in result["results"]],
                  scores=[dataset.get("score") for dataset in result["results"]])


def _top(answer: Answer) -> tuple[set[str], set[str]]:
    """The datasets of every top ten of ``answer``: those in all, those tied at the tenth place.

    Datasets scored as high as the tenth are equally its top ten (CKAN
    breaks the tie by date, which ranking formulas do not share).
    """
    if len(answer.names) <= TOP or answer.scores[TOP - 1] is None:
        return set(answer.names[:TOP]), set()
    tenth = answer.scores[TOP - 1]
    above = {name for name, score in zip(answer.names, answer.scores) if score is not None and score > tenth}
    return above, {name for name, score in zip(answer.names, answer.scores) if score == tenth}


def _overlap(postgres: Answer, solr: Answer) -> float:
    """The largest share of a top ten of quebec_search that is in a top ten of Solr."""
    size = min(TOP, max(len(postgres.names), len(solr.names)))
    if not size:
        return 1.0
    (ours, our_ties), (theirs, their_ties) = _top(postgres), _top(solr)
    our_room, their_room = min(TOP, len(postgres.names)) - len(ours), min(TOP, len(solr.names)) - len(theirs)
    shared = len(ours & theirs)
    taken = min(len(ours & their_ties), their_room)
    shared, their_room = shared + taken, their_room - taken
    taken = min(len(our_ties & theirs), our_room)
    shared, our_room = shared + taken, our_room - taken
    shared += min(len(our_ties & their_ties), our_room, their_room)
    return shared / size


def compare(call: oracle_calls.Call, postgres: Answer, solr: Answer) -> Comparison:
    differences: dict[str, str | None] = {}
    if postgres.error or solr.error:
        if postgres.error != solr.error:
            differences["count"] = None
    else:
        if postgres.count != solr.count:
            differences["count"] = None
        if postgres.facets != solr.facets:
            differences["facets"] = None
        if call.deterministic and postgres.names != solr.names:
            differences["page"] = None
    overlap = None if call.deterministic or postgres.error or solr.error else _overlap(postgres, solr)
    comparison = Comparison(call, postgres, solr, differences, overlap)
    for what in differences:
        differences[what] = next((name for name, intends in INTENDED.items() if intends(comparison, what)), None)
    return comparison


def _ask_solr(calls: list[oracle_calls.Call], solr_url: str, answers: Any) -> None:
    """In a process of its own: CKAN on Solr, without quebec_search, answers every call."""
    try:
        with plugins_on(PLUGINS, solr_url=solr_url):
            with _get_test_app().flask_app.test_request_context():
                answers.send([ask(call) for call in calls])
    except BaseException:
        answers.send(traceback.format_exc())
        raise


@contextlib.contextmanager
def solr_answering(calls: list[oracle_calls.Call], solr_url: str) -> Iterator[Callable[[], list[Answer]]]:
    """Solr's answers, asked by a forked process while this one asks quebec_search."""
    # The child opens connections of its own (as the rebuild's workers do).
    model.Session.remove()
    model.ensure_engine().dispose()
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_ask_solr, args=(calls, solr_url, sending))
    child.start()
    sending.close()
    try:
        yield receiving.recv
    finally:
        child.join(timeout=600)
        receiving.close()


@pytest.fixture(scope="module")
def comparisons(reset_db, migrate_db_for, solr_url) -> list[Comparison]:
    try:
        with plugins_on(f"quebec_search {PLUGINS}"):
            with _get_test_app().flask_app.test_request_context():
                calls = oracle_calls.calls(_build_catalogue(reset_db, migrate_db_for))
                _index_into_both(solr_url)
                with solr_answering(calls, solr_url) as solr_answers:
                    on_postgres = [ask(call) for call in calls]
                    on_solr = solr_answers()
        if isinstance(on_solr, str):
            pytest.fail(f"CKAN on Solr failed:\n{on_solr}")
        pysolr.Solr(solr_url, timeout=120).delete(q="*:*", commit=True)
    finally:
        if not DUMP:  # dumping: the index is kept for a look at its documents
            with model.ensure_engine().begin() as connection:
                connection.execute(sa.text("DELETE FROM quebec_search_document"))
        plugins.load_all()
    return [compare(call, postgres, solr) for call, postgres, solr in zip(calls, on_postgres, on_solr)]


def _dump(comparisons: list[Comparison], path: str) -> None:
    ordered = sorted(comparisons, key=lambda comparison: (comparison.overlap is None, comparison.overlap or 0))
    with open(path, "w", encoding="utf-8") as out:
        json.dump([dataclasses.asdict(comparison) for comparison in ordered], out, ensure_ascii=False, indent=1)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def test_same_answers_on_solr_and_quebec_search(comparisons):
    if DUMP:
        _dump(comparisons, DUMP)
    unexplained = [(comparison.call, what, comparison.postgres, comparison.solr)
                   for comparison in comparisons for what, rule in comparison.differences.items() if rule is None]
    total = len(comparisons)
    same_count = sum("count" not in comparison.differences for comparison in comparisons)
    same_facets = sum("facets" not in comparison.differences for comparison in comparisons)
    paged = [comparison for comparison in comparisons if comparison.call.deterministic]
    same_pages = sum("page" not in comparison.differences for comparison in paged)
    overlaps = [comparison.overlap for comparison in comparisons if comparison.overlap is not None]
    mean_overlap = sum(overlaps) / len(overlaps)
    intended: dict[str, int] = {}
    for comparison in comparisons:
        for rule in comparison.differences.values():
            if rule:
                intended[rule] = intended.get(rule, 0) + 1
    print(f"\noracle: {total} calls; counts identical {_percent(same_count, total)}, facets identical "
          f"{_percent(same_facets, total)}, pages identical {_percent(same_pages, len(paged))} of "
          f"{len(paged)} sorted calls; mean top-{TOP} overlap {mean_overlap:.3f} over {len(overlaps)} "
          f"relevance calls; intended differences {intended or 'none'}; unexplained {len(unexplained)}")
    for call, what, postgres, solr in unexplained[:15]:
        print(f"  #{call.number} {what} user={call.user} {call.params}\n    postgres={postgres}\n    solr={solr}")
    assert total >= oracle_calls.CALLS
    assert not unexplained
    assert mean_overlap >= MEAN_OVERLAP
