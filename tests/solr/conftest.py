"""tests/solr/ start a real Solr node (a JVM) for the session.

Collect rule: the suite runs them on CKAN 2.11 only (one node per run is
enough to prove the configset; 2.12 runs the feature modules on Solr,
scripts/portal's SOLR_SUITE_VERSIONS, so each version's run takes about the
same time); QUEBEC_TEST_SOLR_VERSIONS="2.12 2.11" runs them on both.
Nothing is skipped: on other versions they are not collected.
"""
from __future__ import annotations

import os

import ckan

SOLR_VERSIONS = os.environ.get("QUEBEC_TEST_SOLR_VERSIONS", "2.11").split()

collect_ignore_glob = [] if ".".join(ckan.__version__.split(".")[:2]) in SOLR_VERSIONS else ["test_*.py"]
