"""The documentation stays true to the code: the configuration reference is generated, links resolve."""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "config-reference"
# Markdown links and images to files of the repository (not URLs, not anchors).
LOCAL_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)#\s]+)")


def _generated() -> str:
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return result.stdout


def test_the_configuration_reference_is_the_scripts_output():
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == _generated(), "run: scripts/config-reference > docs/configuration.md"


def test_the_configuration_reference_lists_every_declared_option():
    text = _generated()
    declared = [
        option["key"]
        for path in sorted((ROOT / "ckanext" / "quebec").glob("*/config_declaration.yaml"))
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
        for option in group["options"]
    ]
    assert len(declared) > 40
    for key in declared:
        assert f"### `{key}`" in text
    for plugin in ("quebec_dcat", "quebec_search", "quebec_security", "quebec_viz"):
        assert f"## {plugin}\n" in text


def test_the_check_mode_fails_on_a_stale_reference(tmp_path):
    assert subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT).returncode == 0
    stale = tmp_path / "configuration.md"
    stale.write_text(_generated().replace("default: `40`", "default: `41`"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(stale)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "out of date" in result.stderr
    assert subprocess.run([sys.executable, str(SCRIPT), "--bad"], capture_output=True,
                          cwd=ROOT).returncode == 2


def test_every_link_of_the_readme_and_docs_to_a_file_exists():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    checked = 0
    for page in pages:
        for target in LOCAL_LINK.findall(page.read_text(encoding="utf-8")):
            checked += 1
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
    assert checked >= 3


def test_the_readme_stays_a_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 16_000, "measurement notes go to docs/performance.md"
    assert "scripts/portal serve" in readme and "scripts/portal test" in readme


def test_the_readme_shows_the_portal_in_french():
    """Issue 22: screenshots (fr) of the home, search, dataset and preview pages."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("home", "search", "dataset", "preview"):
        assert f"](docs/theme-{name}-fr.png)" in readme
