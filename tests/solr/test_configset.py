"""schemas/solr/schema.xml and search/fields.py say the same of every field, so they cannot drift."""
from __future__ import annotations

import fnmatch
import xml.etree.ElementTree as ET

import pysolr
import pytest

from ckan.common import config
from ckan.lib.search.common import SearchIndexError, make_connection

from ckanext.quebec.search import fields

from .node import ROOT

SCHEMA = ET.parse(ROOT / "schemas" / "solr" / "schema.xml").getroot()
TYPES = {node.get("name"): node for node in SCHEMA.iter() if node.tag.lower() == "fieldtype"}
FAMILIES = {"solr.StrField": fields.STRING, "solr.TextField": fields.TEXT,
            "solr.DatePointField": fields.DATE, "solr.IntPointField": fields.NUMBER,
            "solr.LongPointField": fields.NUMBER, "solr.FloatPointField": fields.NUMBER,
            "solr.DoublePointField": fields.NUMBER}
FIELDS = {node.get("name"): node for node in SCHEMA.iter("field")}
DYNAMIC = {node.get("name"): node for node in SCHEMA.iter("dynamicField")}
# Names whose dynamic rule is not the obvious one: Solr takes the longest pattern.
TRICKY_NAMES = ("extras_title_fr", "res_extras_note_en", "vocab_theme_fr", "start_date",
                "keywords_fr", "title_translated_en", "update_frequency", "quality_sort")


def _declaration(name: str) -> ET.Element:
    if name in FIELDS:
        return FIELDS[name]
    matching = [pattern for pattern in DYNAMIC if fnmatch.fnmatchcase(name, pattern)]
    return DYNAMIC[max(matching, key=len)]


def _attribute(node: ET.Element, attribute: str) -> bool:
    """A field's attribute, else its type's, else Solr's default (false)."""
    value = node.get(attribute) or TYPES[node.get("type")].get(attribute) or "false"
    return value == "true"


def _names() -> list[str]:
    samples = [pattern.replace("*", "sample") for pattern in DYNAMIC]
    return sorted(set(FIELDS) - {"_version_"}) + samples + list(TRICKY_NAMES)


@pytest.mark.parametrize("name", _names())
def test_fields_py_says_what_the_configset_says(name):
    node = _declaration(name)
    family = FAMILIES[TYPES[node.get("type")].get("class")]
    assert (fields.kind_of(name), fields.is_multi_valued(name)) == (family, _attribute(node, "multiValued"))
    if name in FIELDS:
        # A name no field declares is stored by quebec_search, not by Solr's
        # catch-all: CKAN reads results from data_dict, never from those.
        assert fields.is_stored(name) == _attribute(node, "stored")


def test_every_field_fields_py_names_is_declared():
    named = set(fields.MULTI_VALUED) | set(fields.UNSTORED) | set(fields.UNCOUNTED)
    assert named - set(FIELDS) == set()


def test_each_language_is_analysed_in_its_own_and_copied_into_text():
    copies = {(node.get("source"), node.get("dest")) for node in SCHEMA.iter("copyField")}
    assert {("*_fr", "text"), ("*_en", "text")} <= copies
    french = [f.get("class") for f in TYPES[DYNAMIC["*_fr"].get("type")].iter("filter")]
    assert french == ["solr.ElisionFilterFactory", "solr.LowerCaseFilterFactory",
                      "solr.FrenchLightStemFilterFactory", "solr.ASCIIFoldingFilterFactory"]
    english = [f.get("class") for f in TYPES[DYNAMIC["*_en"].get("type")].iter("filter")]
    assert "solr.PorterStemFilterFactory" in english and "solr.ASCIIFoldingFilterFactory" in english


def test_both_ckan_versions_accept_the_schema_name():
    # CKAN 2.11 knows schema names up to ckan-2.11; 2.12 accepts it too.
    assert SCHEMA.get("name") == "ckan-2.11"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
@pytest.mark.parametrize("backend", [
    pytest.param("postgres", marks=pytest.mark.search_backend("postgres")),
    pytest.param("solr", marks=pytest.mark.search_backend("solr")),
])
def test_a_list_for_a_single_valued_field_is_refused_on_both_backends(backend):
    document = {"index_id": f"list-{backend}", "id": f"list-{backend}", "site_id": config["ckan.site_id"],
                "name": f"list-{backend}", "entity_type": "package", "state": "active"}
    connection = make_connection()
    connection.add([{**document, "territories": ["a", "b"], "keywords_fr": ["x", "y"]}], commit=True)
    with pytest.raises((SearchIndexError, pysolr.SolrError),
                       match="multiple values encountered for non multiValued field organization"):
        connection.add([{**document, "organization": ["a", "b"]}], commit=True)
