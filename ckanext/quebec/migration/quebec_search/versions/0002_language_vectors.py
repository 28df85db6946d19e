"""Index each language of translated fields on its own; keep date reading out of parallel plans.

Revision ID: 0002_language_vectors
Revises: 0001_create_search_index
Create Date: 2026-11-22

"""
from alembic import op

revision = "0002_language_vectors"
down_revision = "0001_create_search_index"
branch_labels = None
depends_on = None

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    # A text in one language only: "_fr" keys are stemmed in French, "_en"
    # keys in English (quebec_search_vector stems in both).
    """
    CREATE OR REPLACE FUNCTION quebec_search_language_vector(language text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE language
        WHEN 'fr' THEN to_tsvector('quebec_fr', coalesce(body, ''))
        WHEN 'en' THEN to_tsvector('quebec_en', coalesce(body, ''))
        ELSE quebec_search_vector(body)
      END
    $$
    """,
    # quebec_search_try_timestamp's exception block opens a subtransaction,
    # which no parallel plan may: on a large index the planner goes parallel
    # and every search that sorts or filters on a date fails.
    "ALTER FUNCTION quebec_search_try_timestamp(text) PARALLEL UNSAFE",
    # The words of the translated fields in each language, weighted as in
    # search_text: they rank a match in the reader's language first. Read for
    # ranking the matched rows only, so they need no index of their own.
    "ALTER TABLE quebec_search_document"
    " ADD COLUMN IF NOT EXISTS search_text_fr tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE quebec_search_document"
    " ADD COLUMN IF NOT EXISTS search_text_en tsvector NOT NULL DEFAULT ''::tsvector",
]

DOWNGRADE = [
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS search_text_en",
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS search_text_fr",
    "DROP FUNCTION IF EXISTS quebec_search_language_vector(text, text)",
    "ALTER FUNCTION quebec_search_try_timestamp(text) PARALLEL SAFE",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
