"""The ``ckan_versions`` marker: a heavy test the suite runs on some CKAN versions only.

``scripts/portal test`` runs the suite on CKAN 2.12 and 2.11 side by side within
its time budget; a test whose point one version proves (a second CKAN started
for it, say) is marked ``@pytest.mark.ckan_versions("2.12")``. On the other
versions it is deselected, not skipped: the summary counts it as deselected.
QUEBEC_TEST_ALL_VERSIONS=1 runs every marked test on every version.
"""
from __future__ import annotations

import os

import pytest

import ckan

MARKER = "ckan_versions"
RUNNING = ".".join(ckan.__version__.split(".")[:2])


def configure(pytest_config: pytest.Config) -> None:
    pytest_config.addinivalue_line(
        "markers", f"{MARKER}(*versions): the suite runs the test on these CKAN versions only "
        "(QUEBEC_TEST_ALL_VERSIONS=1: on all)")


def deselect_other_versions(pytest_config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("QUEBEC_TEST_ALL_VERSIONS") == "1":
        return
    kept, left_out = [], []
    for item in items:
        mark = item.get_closest_marker(MARKER)
        (left_out if mark and RUNNING not in mark.args else kept).append(item)
    if left_out:
        pytest_config.hook.pytest_deselected(items=left_out)
        items[:] = kept
