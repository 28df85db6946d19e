"""The shipped guides: loaded with the demo, and every code example run against the test portal.

An example is a ``bash`` or ``python`` block followed by a ``text`` block: the
output the guide promises. Each runs in a subprocess (curl, jq, the venv's
Python) against the demo catalogue served over HTTP, with the portal's public
address replaced by the test server's; its output must be the promised text.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ckan.tests import helpers

from ckanext.quebec.demo import loader
from ckanext.quebec.guides import demo as demo_guides

from tests.browser.conftest import live_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets "
                                      "scheming_organizations quebec_schema quebec_guides")]

PUBLIC_ADDRESS = "https://www.donneesquebec.ca/recherche"
_EXAMPLE = re.compile(r"```(bash|python)\n(.*?)```\s*```text\n(.*?)```", re.DOTALL)
_CODE = re.compile(r"```(bash|python)\n")
GUIDES = demo_guides.shipped()


def _examples(body: str) -> list[tuple[str, str, str]]:
    return [(kind, code, expected) for kind, code, expected in _EXAMPLE.findall(body)]


def test_every_code_block_is_an_example_and_both_languages_have_the_same():
    for guide in GUIDES:
        for language in ("fr", "en"):
            body = guide[f"body_{language}"]
            assert len(_examples(body)) == len(_CODE.findall(body)), (guide["name"], language)
        assert _examples(guide["body_fr"]) == _examples(guide["body_en"]), guide["name"]
    assert sum(len(_examples(guide["body_fr"])) for guide in GUIDES) >= 5


@pytest.fixture
def demo_portal(app, live_server):  # noqa: F811 (fixture imported above)
    report = loader.load()
    assert report.guide_lines == [f"created guide {guide['name']}" for guide in GUIDES]
    assert loader.load().guide_lines == [f"kept guide {guide['name']}" for guide in GUIDES]
    return live_server


def _run(kind: str, code: str) -> subprocess.CompletedProcess:
    command = ["bash", "-c", "set -eo pipefail\n" + code] if kind == "bash" else [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_demo_guides_are_published_and_their_examples_print_what_they_say(demo_portal):
    found = helpers.call_action("quebec_guide_search", language="en", sort="title")
    assert found["count"] == 5
    assert {guide["name"] for guide in found["results"]} == {guide["name"] for guide in GUIDES}
    failures = []
    for guide in GUIDES:
        for kind, code, expected in _examples(guide["body_fr"]):
            result = _run(kind, code.replace(PUBLIC_ADDRESS, demo_portal))
            if result.returncode or result.stdout.strip() != expected.strip():
                failures.append((guide["name"], code.splitlines()[0][:60], result.stdout, result.stderr[-300:]))
    assert failures == []
