"""tests/solr/ start a real Solr node (a JVM) for the session.

Collect rule: the suite runs them on CKAN 2.12 only (one node per run is
enough to prove the configset); QUEBEC_TEST_SOLR_VERSIONS="2.12 2.11" runs
them on both. Nothing is skipped: on other versions they are not collected.
"""
from __future__ import annotations

import os

import ckan

SOLR_VERSIONS = os.environ.get("QUEBEC_TEST_SOLR_VERSIONS", "2.12").split()

collect_ignore_glob = [] if ".".join(ckan.__version__.split(".")[:2]) in SOLR_VERSIONS else ["test_*.py"]
