"""The demo guides loaded beside a part of the demo catalogue."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.demo.conftest import small_catalogue  # noqa: F401 (fixture)

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets "
                                      "scheming_organizations quebec_schema quebec_guides")]


def test_a_partial_demo_loads_the_guides_without_the_absent_datasets(small_catalogue):  # noqa: F811
    from ckanext.quebec.demo import loader
    from ckanext.quebec.guides import demo as demo_guides

    report = loader.load(small_catalogue("bornes-de-recharge"))
    linking = [guide["name"] for guide in demo_guides.shipped() if guide.get("datasets")]
    assert linking, "a shipped guide links to a demo dataset"
    for name in linking:
        assert f"created guide {name} (without the absent datasets comptages-velos)" in report.guide_lines
        assert helpers.call_action("quebec_guide_show", id=name)["datasets"] == []
    assert len(report.guide_lines) == len(demo_guides.shipped())
