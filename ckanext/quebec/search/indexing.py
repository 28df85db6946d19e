"""Indexing one dataset as CKAN does, on CKAN 2.12 and 2.11.

Shared by the rebuild's workers and by the reindexing of an organization's
or group's datasets. It reads CKAN's internals: the code is in
ckanext/quebec/compat_ckan.py with every other such use.
"""
from __future__ import annotations

from ckanext.quebec.compat_ckan import BOTH_SCHEMAS, index_dataset, show_context

__all__ = ["BOTH_SCHEMAS", "index_dataset", "show_context"]
