"""Facet counts from the matches' packed value numbers (search/numbered.py, migration 0011)."""
from __future__ import annotations

import json
import struct
from collections import Counter

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from ckanext.quebec.search import counted, numbered

pytestmark = [
    pytest.mark.usefixtures("clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
    pytest.mark.ckan_config("ckanext.quebec.search.counted_fields", "tags res_format"),
]

# The words of every dataset below: a text search reads (and counts) all matches.
WORDS = "pistes OR rivieres OR parcs"


def pack(numbers: list[int]) -> str:
    return struct.pack(f">{len(numbers)}i", *numbers).hex()


class TestCount:
    """numpy's count of packed numbers, as Counter gives it."""

    @pytest.mark.parametrize("reads", [
        [[3, 1, 2], [2, 3], [3]],  # dense numbers: counted in one array
        [[7, 2_000_000_000], [2_000_000_000], []],  # sparse: sorted and counted
        [[1]],
    ])
    def test_counts_every_read(self, reads):
        expected = Counter(number for read in reads for number in read)
        assert numbered._count([pack(read) for read in reads if read]) == dict(expected)


def text_facets(*fields: str) -> dict:
    return helpers.call_action("package_search", q=WORDS, rows=0, **{
        "facet.field": json.dumps(list(fields)), "facet.limit": -1})["facets"]


def packed_and_numbered() -> list[tuple[bytes, list[int]]]:
    with model.ensure_engine().connect() as connection:
        return [(bytes(packed), list(ids)) for packed, ids in connection.execute(sa.text(
            "SELECT facet_bytes, facet_ids FROM quebec_search_document"))]


@pytest.fixture
def catalogue(clean_db):
    org = factories.Organization(name="ville")
    datasets = {name: factories.Dataset(
        name=name, owner_org=org["id"], tags=[{"name": tag} for tag in tags],
        resources=[{"url": f"http://example.com/{name}.csv", "format": "CSV"}])
        for name, tags in (("pistes", ["velo", "ete"]), ("rivieres", ["eau"]),
                           ("parcs", ["ete"]))}
    return datasets


@pytest.mark.usefixtures("catalogue")
class TestPackedColumn:
    def test_packed_bytes_are_the_numbers_of_each_document(self, catalogue):
        text_facets("tags", "res_format")  # both fields numbered (configured)
        helpers.call_action("package_patch", id=catalogue["parcs"]["id"],
                            tags=[{"name": "hiver"}, {"name": "ete"}])
        counted.count_fields(["organization"])  # numbered after the documents were written
        rows = packed_and_numbered()
        assert len(rows) == 3
        assert all(len(ids) >= 3 for _, ids in rows)  # tags, format and organization
        for packed, ids in rows:
            assert list(struct.unpack(f">{len(ids)}i", packed)) == ids


@pytest.mark.usefixtures("catalogue")
class TestNames:
    def test_a_value_numbered_after_the_process_named_others(self, catalogue):
        assert text_facets("tags") == {"tags": {"ete": 2, "velo": 1, "eau": 1}}
        helpers.call_action("package_patch", id=catalogue["rivieres"]["id"],
                            tags=[{"name": "neige"}])
        assert text_facets("tags") == {"tags": {"ete": 2, "velo": 1, "neige": 1}}

    @pytest.mark.usefixtures("no_kept_answers")
    def test_names_read_from_another_numbering_table_are_forgotten(self, monkeypatch):
        text_facets("tags")
        known = numbered._known
        assert known.table is not None and known.names
        # As if the table had been dropped and created again (ckan db clean,
        # a test's reset) and its numbers named other values.
        wrong = {number: ("tags", "ancien-" + value) for number, (_, value) in known.names.items()}
        monkeypatch.setattr(known, "table", known.table + 1)
        monkeypatch.setattr(known, "names", wrong)
        assert text_facets("tags") == {"tags": {"ete": 2, "velo": 1, "eau": 1}}
        assert not any(value.startswith("ancien-") for _, value in numbered._known.names.values())
