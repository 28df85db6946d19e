"""The quality read hooks never lose the caller's write.

CKAN 2.12 shows and indexes a dataset inside package_update, before its
commit; after_dataset_show rolled the session back when the quality lookup
failed, and the user's update was lost. The lookups fail here for real: a
result row the code cannot parse, and the quality table renamed inside the
update's own transaction.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "false"),
]


def _stored_notes(dataset_id: str) -> str:
    model.Session.remove()
    return model.Session.execute(sa.text("SELECT notes FROM package WHERE id = :id"), {"id": dataset_id}).scalar()


def test_an_update_is_stored_when_its_quality_row_cannot_be_read():
    dataset = factories.Dataset(notes="Avant")
    model.Session.execute(sa.text(
        "INSERT INTO quebec_quality_dataset (package_id, score, level, validation, result) "
        "VALUES (:id, 10, 'faible', 'valid', CAST('{}' AS jsonb))"), {"id": dataset["id"]})
    model.Session.commit()

    updated = helpers.call_action("package_patch", id=dataset["id"], notes="Après")

    assert updated["notes"] == "Après" and updated["quebec_quality"] is None
    assert _stored_notes(dataset["id"]) == "Après"
    found = helpers.call_action("package_search", fq=f"id:{dataset['id']}")
    assert found["results"][0]["notes"] == "Après" and found["results"][0]["quebec_quality"] is None


def test_an_update_is_stored_when_the_quality_table_goes_during_it():
    dataset = factories.Dataset(notes="Avant")
    # The table is renamed by the update's own write, inside its transaction: every read after fails.
    model.Session.execute(sa.text(
        "CREATE FUNCTION quebec_test_hide_quality() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "ALTER TABLE IF EXISTS quebec_quality_dataset RENAME TO quebec_quality_dataset_away; RETURN NEW; END $$"))
    model.Session.execute(sa.text(
        "CREATE TRIGGER quebec_test_hide_quality AFTER UPDATE ON package "
        "FOR EACH ROW EXECUTE FUNCTION quebec_test_hide_quality()"))
    model.Session.commit()
    try:
        updated = helpers.call_action("package_patch", id=dataset["id"], notes="Après")
        hidden = model.Session.execute(sa.text("SELECT to_regclass('quebec_quality_dataset_away')")).scalar()
    finally:
        model.Session.rollback()
        model.Session.execute(sa.text("DROP TRIGGER quebec_test_hide_quality ON package"))
        model.Session.execute(sa.text("DROP FUNCTION quebec_test_hide_quality()"))
        model.Session.execute(sa.text(
            "ALTER TABLE IF EXISTS quebec_quality_dataset_away RENAME TO quebec_quality_dataset"))
        model.Session.commit()

    assert hidden is not None  # the lookups did fail
    assert updated["notes"] == "Après" and updated["quebec_quality"] is None
    assert _stored_notes(dataset["id"]) == "Après"
    assert helpers.call_action("package_search", fq=f"id:{dataset['id']}")["results"][0]["notes"] == "Après"


def test_a_search_on_tables_not_migrated_shows_results_without_quality(app):
    """A visitor's search on a portal whose quality tables are missing: results, no quality, no error."""
    dataset = factories.Dataset(title="Sans table de qualité")
    model.Session.execute(sa.text("ALTER TABLE quebec_quality_dataset RENAME TO quebec_quality_dataset_away"))
    model.Session.commit()
    try:
        page = app.get("/dataset/", status=200).body
        found = helpers.call_action("package_search", {"user": "", "ignore_auth": False},
                                    fq=f"id:{dataset['id']}")
    finally:
        model.Session.rollback()
        model.Session.execute(sa.text("ALTER TABLE quebec_quality_dataset_away RENAME TO quebec_quality_dataset"))
        model.Session.commit()

    assert "Sans table de qualité" in page
    assert [result["quebec_quality"] for result in found["results"]] == [None]


def test_a_transaction_the_server_ended_is_not_hidden_by_the_quality_read():
    """The transaction ended on the server behind SQLAlchemy's back (as a forked child's ROLLBACK did,
    tests/quality/test_isolated.py): the read's savepoint fails, and the caller hears of it.

    The read swallowed every error: the search answered without quality, and the
    caller went on writing statement by statement outside any transaction.
    """
    dataset = factories.Dataset()
    model.Session.execute(sa.text("SELECT 1"))
    model.Session.connection().exec_driver_sql("ROLLBACK")
    try:
        with pytest.raises(sa.exc.InternalError, match="SAVEPOINT can only be used in transaction blocks"):
            helpers.call_action("package_search", fq=f"id:{dataset['id']}")
    finally:
        model.Session.rollback()
