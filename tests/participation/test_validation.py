"""The participation's vocabularies and its statuses' transitions agree (no database)."""
from __future__ import annotations

from ckanext.quebec.participation import validation
from ckanext.quebec.schema import vocabularies


def test_every_status_has_its_transitions_and_every_transition_a_status():
    assert list(validation.TRANSITIONS) == validation.statuses()
    assert {wanted for targets in validation.TRANSITIONS.values() for wanted in targets} <= set(validation.statuses())


def test_the_reasons_are_those_the_suggestion_form_offers():
    assert [entry["value"] for entry in vocabularies.get("suggestion_reasons")] == [
        "transparency", "research", "business", "personal", "other"]
