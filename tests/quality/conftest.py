"""Fixtures of the quebec_quality tests: users by role, a local HTTP server.

The project's clean_db empties the quality tables with every other table."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from tests.tabular.conftest import http_server  # noqa: F401  (the same local server)

ROLES = ("anonymous", "member", "editor", "admin", "sysadmin")


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
