"""Fixtures of the quebec_participation tests: a target organization with users by role, and suggestions."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

PLUGINS = "quebec_search quebec_participation"
ROLES = ("anonymous", "outsider", "member", "editor", "admin", "sysadmin")


def a_suggestion(user: dict, **fields) -> dict:
    """A suggestion created through the action as ``user``."""
    data = {"title": {"fr": "Horaires des traversiers"}, "description": {"fr": "Les horaires, en CSV."},
            "category": "transport", "reason": "personal"}
    data.update(fields)
    return helpers.call_action("quebec_suggestion_create", {"user": user["name"]}, **data)


@pytest.fixture
def people():
    """The users of the auth matrix, by role in the target organization ``org`` (anonymous: None)."""
    org = factories.Organization()
    other = factories.Organization()
    found = {"org": org, "other_org": other, "anonymous": None, "sysadmin": factories.Sysadmin(),
             "outsider": factories.User()}
    for role in ("member", "editor", "admin"):
        found[role] = factories.User()
        helpers.call_action("organization_member_create", id=org["id"], username=found[role]["name"], role=role)
    found["other_admin"] = factories.User()
    helpers.call_action("organization_member_create", id=other["id"], username=found["other_admin"]["name"],
                        role="admin")
    return found


def context_of(user) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


@pytest.fixture(autouse=True)
def rate_counts_reset():
    """No rate-limit count left in Redis by an earlier test: the windows outlive a test."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    for key in redis.scan_iter(match="*:quebec_participation:rate:*"):
        redis.delete(key)
