"""Fixtures of the quebec_quality tests: clean quality tables, users by role, a local HTTP server."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from tests.tabular.conftest import http_server  # noqa: F401  (the same local server)

TABLES = ("quebec_quality_resource_check", "quebec_quality_dataset", "quebec_quality_reference")
ROLES = ("anonymous", "member", "editor", "admin", "sysadmin")


@pytest.fixture
def clean_db(clean_db):
    """The project's clean_db, plus empty quality tables (CKAN's reset leaves plugin tables' rows)."""
    with model.ensure_engine().begin() as connection:
        for table in TABLES:
            connection.execute(sa.text(f"DELETE FROM {table}"))


def user_with_role(role: str, organization: dict) -> dict:
    """The context of a user with ``role`` in ``organization`` (anonymous: no user)."""
    if role == "anonymous":
        return {"user": "", "ignore_auth": False}
    if role == "sysadmin":
        return {"user": factories.Sysadmin()["name"], "ignore_auth": False}
    user = factories.User()
    helpers.call_action("organization_member_create", id=organization["id"],
                                  username=user["name"], role=role)
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def empty_queue():
    """CKAN's default job queue, emptied of jobs left by earlier tests."""
    from ckan.lib import jobs

    queue = jobs.get_queue()
    queue.empty()
    yield queue
    queue.empty()
