"""Fixtures of the quebec_security tests."""
from __future__ import annotations

import pytest

# Every plugin of the suite, as scripts/portal serves them.
ALL_PLUGINS = ("quebec_security quebec_search scheming_datasets scheming_organizations "
               "quebec_schema quebec_partners quebec_quality quebec_viz quebec_table_view "
               "quebec_chart_view quebec_map_view activity dcat quebec_dcat")


@pytest.fixture
def activity_tables(migrate_db_for):
    migrate_db_for("activity")
