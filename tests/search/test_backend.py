"""Switching CKAN's search layer: PostgreSQL with the plugin, Solr without it."""
from __future__ import annotations

import logging

import pysolr
import pytest

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan import plugins

from ckanext.quebec.search import backend
from ckanext.quebec.search.connection import PostgresSolr

# Every module that holds CKAN's connection factory under its own name.
FACTORY_HOLDERS = (search, search_common, search_index, search_query)
SOLR_WARNING = "Problems were found while connecting to the SOLR server"


def _is_pysolr_factory(factory) -> bool:
    # Building a pysolr.Solr does not contact Solr; searching would.
    return (factory.__module__ == "ckan.lib.search.common"
            and isinstance(factory(), pysolr.Solr))


@pytest.fixture
def solr_unreachable(monkeypatch):
    """Fail loudly if anything asks Solr, instead of contacting it."""
    def refuse(*args, **kwargs):
        raise AssertionError("Solr was contacted")

    monkeypatch.setattr(pysolr.Solr, "_send_request", refuse)


@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
@pytest.mark.usefixtures("clean_db", "solr_unreachable")
class TestPluginOn:
    def test_every_factory_gives_postgres_connections(self):
        for module in FACTORY_HOLDERS:
            assert isinstance(module.make_connection(), PostgresSolr), module.__name__
            assert isinstance(module.make_connection(decode_dates=False), PostgresSolr)

    def test_no_solr_warning_at_start_up(self, caplog):
        with caplog.at_level(logging.WARNING):
            plugins.load_all()  # CKAN's update_config, with its Solr check
        assert SOLR_WARNING not in caplog.text
        assert backend.is_installed()

    def test_schema_check_and_availability_need_no_solr(self):
        assert search.check_solr_schema_version() is True
        assert search_common.is_available() is True


@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
@pytest.mark.usefixtures("solr_unreachable")
class TestPluginOff:
    def test_plugins_reloaded_without_it_give_solr_back(self, ckan_config, monkeypatch):
        plugins.load_all()
        assert backend.is_installed()
        # CKAN's own check then runs; keep it from contacting Solr
        monkeypatch.setattr(search, "is_available", lambda: False)
        monkeypatch.setitem(ckan_config, "ckan.plugins", "")

        plugins.load_all()

        for module in FACTORY_HOLDERS:
            assert _is_pysolr_factory(module.make_connection), module.__name__
        assert search.check_solr_schema_version.__module__ == "ckan.lib.search"
        assert search.check_solr_schema_version() is False

    def test_plugin_unloaded_alone_no_longer_answers(self):
        plugins.load_all()
        plugins.unload("quebec_search")
        assert isinstance(search_common.make_connection(), pysolr.Solr)
        assert not backend.is_installed()

    def test_and_back_on_again(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.plugins", "")
        plugins.load_all()
        monkeypatch.setitem(ckan_config, "ckan.plugins", "quebec_search")
        plugins.load_all()
        assert isinstance(search_common.make_connection(), PostgresSolr)
