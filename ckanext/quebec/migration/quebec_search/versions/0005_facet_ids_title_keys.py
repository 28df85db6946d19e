"""Narrow columns for text searches: facet value ids and exact-title keys.

A text search ranks and facets every document it matches. Reading the
counted facet fields and the titles out of ``fields`` (a compressed jsonb of a
few kilobytes) for each match cost more than the search itself; these two
columns hold the same values in a few bytes.

Revision ID: 0005_facet_ids_title_keys
Revises: 0004_filter_sort_facet_counts
Create Date: 2026-11-23

"""
from alembic import op

revision = "0005_facet_ids_title_keys"
down_revision = "0004_filter_sort_facet_counts"
branch_labels = None
depends_on = None

# The fields a dataset is "named as" for the exact-title boost (connection.py).
_TITLE_FIELDS = "ARRAY['title', 'title_translated_fr', 'title_translated_en']"

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    # Every (field, value) of a counted facet field gets a number once.
    """
    CREATE TABLE IF NOT EXISTS quebec_search_facet_value (
      id serial PRIMARY KEY,
      field text NOT NULL,
      value text NOT NULL,
      UNIQUE (field, value)
    )
    """,
    "ALTER TABLE quebec_search_document"
    " ADD COLUMN IF NOT EXISTS facet_ids integer[] NOT NULL DEFAULT '{}'",
    "ALTER TABLE quebec_search_document"
    " ADD COLUMN IF NOT EXISTS title_keys text[] NOT NULL DEFAULT '{}'",
    # The numbers of a document's values of the counted fields (numbering
    # the values not seen yet); sorted, each once: a dataset counts once.
    """
    CREATE OR REPLACE FUNCTION quebec_search_facet_ids(doc jsonb) RETURNS integer[]
    LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO quebec_search_facet_value (field, value)
      SELECT c.field, e.value
      FROM quebec_search_counted_field c
      CROSS JOIN LATERAL jsonb_array_elements_text(doc -> c.field) AS e(value)
      WHERE NOT EXISTS (SELECT 1 FROM quebec_search_facet_value v
                        WHERE v.field = c.field AND v.value = e.value)
      ORDER BY 1, 2
      ON CONFLICT DO NOTHING;
      RETURN (SELECT coalesce(array_agg(DISTINCT v.id), '{}')
              FROM quebec_search_counted_field c
              CROSS JOIN LATERAL jsonb_array_elements_text(doc -> c.field) AS e(value)
              JOIN quebec_search_facet_value v ON v.field = c.field AND v.value = e.value);
    END
    $$
    """,
    # All the words, in either language: ranking by it rewards words that
    # stand near each other (ts_rank's proximity for an AND query).
    """
    CREATE OR REPLACE FUNCTION quebec_search_all_words(words text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT plainto_tsquery('quebec_fr', words) && plainto_tsquery('quebec_en', words)
    $$
    """,
    # A dataset's titles as the exact-title boost compares them with q.
    f"""
    CREATE OR REPLACE FUNCTION quebec_search_title_keys(doc jsonb) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT lower(unaccent(doc -> f ->> 0))), '{{}}')
      FROM unnest({_TITLE_FIELDS}) AS f
      WHERE doc -> f ->> 0 IS NOT NULL
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION quebec_search_document_columns() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      NEW.signature := quebec_search_signature(NEW.fields);
      NEW.metadata_modified := quebec_search_try_timestamp(NEW.fields -> 'metadata_modified' ->> 0);
      NEW.facet_ids := quebec_search_facet_ids(NEW.fields);
      NEW.title_keys := quebec_search_title_keys(NEW.fields);
      RETURN NEW;
    END
    $$
    """,
    # Numbering the documents already indexed changes no count: the
    # counting trigger is off meanwhile (in this transaction only).
    "ALTER TABLE quebec_search_document DISABLE TRIGGER quebec_search_count_update",
    "UPDATE quebec_search_document SET facet_ids = quebec_search_facet_ids(fields),"
    " title_keys = quebec_search_title_keys(fields)",
    "ALTER TABLE quebec_search_document ENABLE TRIGGER quebec_search_count_update",
]

DOWNGRADE = [
    """
    CREATE OR REPLACE FUNCTION quebec_search_document_columns() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      NEW.signature := quebec_search_signature(NEW.fields);
      NEW.metadata_modified := quebec_search_try_timestamp(NEW.fields -> 'metadata_modified' ->> 0);
      RETURN NEW;
    END
    $$
    """,
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS title_keys",
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS facet_ids",
    "DROP TABLE IF EXISTS quebec_search_facet_value",
    "DROP FUNCTION IF EXISTS quebec_search_title_keys(jsonb)",
    "DROP FUNCTION IF EXISTS quebec_search_all_words(text)",
    "DROP FUNCTION IF EXISTS quebec_search_facet_ids(jsonb)",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
