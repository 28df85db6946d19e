"""The vendored browser libraries are the lockfile's exact versions, and the assets the views load exist."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
ASSETS = os.path.join(ROOT, "ckanext", "quebec", "viz", "assets")


def test_committed_copies_match_the_lockfile():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "vendor-assets"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_package_json_pins_exact_versions_that_the_lockfile_holds():
    with open(os.path.join(ROOT, "package.json"), encoding="utf-8") as stream:
        package = json.load(stream)
    with open(os.path.join(ROOT, "package-lock.json"), encoding="utf-8") as stream:
        lock = json.load(stream)["packages"]
    pins = {**package["dependencies"], **package["devDependencies"]}
    assert set(pins) == {"chart.js", "leaflet", "leaflet.markercluster", "qc-trousse-sdg", "axe-core"}
    for name, version in pins.items():
        assert version[0].isdigit() and lock[f"node_modules/{name}"]["version"] == version, name


def test_every_asset_of_the_bundles_exists():
    with open(os.path.join(ASSETS, "webassets.yml"), encoding="utf-8") as stream:
        bundles = yaml.safe_load(stream)
    assert set(bundles) == {"viz-js", "viz-css", "chart-js", "map-js", "map-css"}
    for name, bundle in bundles.items():
        for path in bundle["contents"]:
            assert os.path.isfile(os.path.join(ASSETS, path)), (name, path)
