"""quebec_guides and quebec_reuses beside every plugin the portal serves: a dataset page shows its guides and reuses."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories, helpers

from tests.guides.conftest import as_user, guide_fields
from tests.reuses.conftest import reuse_fields

with open("scripts/portal", encoding="utf-8") as _portal:
    SERVED = re.search(r'^SERVE_PLUGINS="([^"]+)"', _portal.read(), re.MULTILINE).group(1)

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", SERVED)]


@pytest.fixture(autouse=True)
def activity_tables(clean_db, migrate_db_for):
    migrate_db_for("activity")


def test_the_served_plugins_include_both():
    assert {"quebec_guides", "quebec_reuses"} <= set(SERVED.split())


def test_a_dataset_page_shows_its_guides_and_reuses(app):
    sysadmin = factories.Sysadmin()
    organization = factories.Organization()
    dataset = helpers.call_action("package_create", {"user": sysadmin["name"]}, **_dataset(organization["id"]))
    guide = helpers.call_action("quebec_guide_create", as_user(sysadmin),
                                **guide_fields(datasets=[dataset["name"]], categories=[]))
    helpers.call_action("quebec_guide_publish", as_user(sysadmin), id=guide["id"])
    reuse = helpers.call_action("quebec_reuse_create", as_user(sysadmin), **reuse_fields([dataset["name"]]))
    helpers.call_action("quebec_reuse_approve", as_user(sysadmin), id=reuse["id"])
    page = app.get(f"/en/dataset/{dataset['name']}").body
    assert "quebec-dataset-guides" in page and "Finding data" in page
    assert "quebec-dataset-reuses" in page and "Bike map" in page
    assert app.get("/en/guides").status_code == 200 and app.get("/en/reuses").status_code == 200


def _dataset(owner_org: str) -> dict:
    return {"name": "velos", "owner_org": owner_org, "title_translated": {"fr": "Vélos", "en": "Bikes"},
            "notes_translated": {"fr": "Comptages.", "en": "Counts."}, "update_frequency": "daily",
            "license_id": "cc-by"}
