"""Switching CKAN's search layer between Solr and PostgreSQL.

ckan.lib.search reaches Solr only through ``make_connection()``; with the
plugin on, that name answers with a :class:`PostgresSolr` instead. The Solr
schema check at start-up has nothing to check then, so it is switched too
(it is what logs "Problems were found while connecting to the SOLR server").
The bindings themselves are replaced by ckanext/quebec/compat_ckan.py, which
knows every module of CKAN that holds one.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec import compat_ckan

from .connection import PostgresSolr
from .rebuild import rebuild as rebuild_in_workers
from .writer import bulk_writes

log = logging.getLogger(__name__)

PLUGIN_NAME = "quebec_search"


def make_connection(decode_dates: bool = True) -> Any:
    if not p.plugin_loaded(PLUGIN_NAME):
        # Unloaded without CKAN's schema check running since (see below).
        uninstall()
        return compat_ckan.original("make_connection")(decode_dates)
    return PostgresSolr(decode_dates=decode_dates)


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
    return compat_ckan.original("check_solr_schema_version")(schema_file)


def rebuild(*args: Any, **kwargs: Any) -> Any:
    """CKAN's rebuild, shared among worker processes, its deferred writes sent by batches."""
    original = compat_ckan.original("rebuild")
    if not p.plugin_loaded(PLUGIN_NAME):
        return original(*args, **kwargs)
    with bulk_writes():
        return rebuild_in_workers(*args, **kwargs)


# The function that replaces each name CKAN's search layer reads.
REPLACEMENTS = {
    "make_connection": make_connection,
    "check_solr_schema_version": check_schema_version,
    "rebuild": rebuild,
}
if REPLACEMENTS.keys() != compat_ckan.PATCHED_BINDINGS.keys():
    raise RuntimeError("quebec_search replaces each of compat_ckan.PATCHED_BINDINGS")


def install() -> None:
    """Route CKAN's search layer to PostgreSQL (idempotent)."""
    for name, replacement in REPLACEMENTS.items():
        compat_ckan.patch(name, replacement)
    log.debug("quebec_search: search index is in PostgreSQL")


def uninstall() -> None:
    """Give CKAN its Solr connection back (idempotent)."""
    compat_ckan.unpatch_all()


def is_installed() -> bool:
    return compat_ckan.is_patched("make_connection", make_connection)
