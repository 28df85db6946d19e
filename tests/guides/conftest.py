"""Fixtures of the quebec_guides tests: guides, an editor, a citizen."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

GUIDES_PLUGINS = "quebec_search quebec_guides"


def guide_fields(name: str = "trouver-des-donnees", **fields) -> dict:
    """A complete guide, in French and English."""
    data = {"name": name, "title_fr": "Trouver des données", "title_en": "Finding data",
            "summary_fr": "Chercher dans le catalogue.", "summary_en": "Searching the catalogue.",
            "body_fr": "## Chercher\n\nTapez un mot.", "body_en": "## Search\n\nType a word.",
            "audience": ["citoyens"], "topic": "trouver", "categories": ["transport"]}
    data.update(fields)
    return data


def as_user(user: dict | None) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


@pytest.fixture
def editor() -> dict:
    user = factories.UserWithToken()
    helpers.call_action("quebec_guide_editor_add", user=user["name"])
    return user


@pytest.fixture
def published(editor) -> dict:
    guide = helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields())
    return helpers.call_action("quebec_guide_publish", as_user(editor), id=guide["id"])
