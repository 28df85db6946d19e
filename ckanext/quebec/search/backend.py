"""Switching CKAN's search layer between Solr and PostgreSQL.

ckan.lib.search reaches Solr only through ``make_connection()``; with the
plugin on, that name answers with a :class:`PostgresSolr` instead. The Solr
schema check at start-up has nothing to check then, so it is switched too
(it is what logs "Problems were found while connecting to the SOLR server").
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .connection import PostgresSolr
from .writer import bulk_writes
from .rebuild import rebuild as rebuild_in_workers

log = logging.getLogger(__name__)

PLUGIN_NAME = "quebec_search"

# (module, attribute) pairs that hold CKAN's Solr connection factory
_FACTORY_HOLDERS = (search, search_common, search_index, search_query)
_originals: dict[tuple[int, str], Any] = {}


def make_connection(decode_dates: bool = True) -> Any:
    if not p.plugin_loaded(PLUGIN_NAME):
        # Unloaded without CKAN's schema check running since (see below).
        uninstall()
        return search_common.make_connection(decode_dates)
    return PostgresSolr()


def check_schema_version(schema_file: str | None = None) -> bool:
    """The index schema is ours, created by the plugin's migrations.

    CKAN runs this check after every plugin (un)load. It is the one place
    that learns of the plugin's own unloading: CKAN looks its plugin
    observers up after the unloaded plugin is gone, so ``after_unload``
    never reaches it.
    """
    if p.plugin_loaded(PLUGIN_NAME):
        return True
    uninstall()
    if PLUGIN_NAME in tk.aslist(tk.config.get("ckan.plugins")):
        # plugins.load_all() unloads every plugin, then loads them again:
        # the plugin is back at once, and Solr is never asked.
        return False
    return search.check_solr_schema_version(schema_file)


def rebuild(*args: Any, **kwargs: Any) -> Any:
    """CKAN's rebuild, shared among worker processes, its deferred writes sent by batches."""
    original = _originals[(id(search), "rebuild")]
    if not p.plugin_loaded(PLUGIN_NAME):
        return original(*args, **kwargs)
    with bulk_writes():
        return rebuild_in_workers(original, *args, **kwargs)


def _replace(module: Any, name: str, value: Any) -> None:
    key = (id(module), name)
    if key not in _originals:
        _originals[key] = getattr(module, name)
    setattr(module, name, value)


def install() -> None:
    """Route CKAN's search layer to PostgreSQL (idempotent)."""
    for module in _FACTORY_HOLDERS:
        _replace(module, "make_connection", make_connection)
    _replace(search, "check_solr_schema_version", check_schema_version)
    _replace(search, "rebuild", rebuild)
    log.debug("quebec_search: search index is in PostgreSQL")


def uninstall() -> None:
    """Give CKAN its Solr connection back (idempotent)."""
    modules = {id(module): module for module in _FACTORY_HOLDERS}
    for (module_id, name), original in list(_originals.items()):
        setattr(modules[module_id], name, original)
    _originals.clear()


def is_installed() -> bool:
    return search_common.make_connection is make_connection
