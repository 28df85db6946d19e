"""Create the search index table, its text search configurations and helpers.

Revision ID: 0001_create_search_index
Revises:
Create Date: 2026-11-22

"""
from alembic import op

revision = "0001_create_search_index"
down_revision = None
branch_labels = None
depends_on = None

# Statements are written to be re-runnable: CKAN's test fixtures drop every
# table between sessions but leave text search configurations and functions.
UPGRADE = [
    # unaccent is a trusted extension: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'quebec_fr') THEN
        CREATE TEXT SEARCH CONFIGURATION quebec_fr (COPY = pg_catalog.french);
        ALTER TEXT SEARCH CONFIGURATION quebec_fr
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'quebec_en') THEN
        CREATE TEXT SEARCH CONFIGURATION quebec_en (COPY = pg_catalog.english);
        ALTER TEXT SEARCH CONFIGURATION quebec_en
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
      END IF;
    END
    $$
    """,
    # A text's lexemes in both languages: a French or an English query word
    # finds it, whatever the language it was written in.
    """
    CREATE OR REPLACE FUNCTION quebec_search_vector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT to_tsvector('quebec_fr', coalesce(body, ''))
          || to_tsvector('quebec_en', coalesce(body, ''))
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION quebec_search_words(words text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT plainto_tsquery('quebec_fr', words) || plainto_tsquery('quebec_en', words)
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION quebec_search_phrase(words text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT phraseto_tsquery('quebec_fr', words) || phraseto_tsquery('quebec_en', words)
    $$
    """,
    # All values of one multi-valued field as one text.
    """
    CREATE OR REPLACE FUNCTION quebec_search_field_text(fields jsonb, field text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(fields -> field)
    $$
    """,
    # Typed views of indexed strings for ranges and sorts; a value that is not
    # a date or a number compares as NULL instead of failing the whole query.
    # Reading a date depends on the session's TimeZone: STABLE, not IMMUTABLE.
    """
    CREATE OR REPLACE FUNCTION quebec_search_try_timestamp(value text)
    RETURNS timestamptz LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
    BEGIN
      RETURN value::timestamptz;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION quebec_search_try_number(value text)
    RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN value ~ '^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$'
                  THEN value::double precision END
    $$
    """,
    """
    CREATE TABLE IF NOT EXISTS quebec_search_document (
      index_id text PRIMARY KEY,
      id text NOT NULL,
      name text,
      site_id text NOT NULL,
      fields jsonb NOT NULL,
      stored jsonb NOT NULL,
      search_text tsvector NOT NULL,
      indexed_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX IF NOT EXISTS quebec_search_document_id_idx ON quebec_search_document (id)",
    "CREATE INDEX IF NOT EXISTS quebec_search_document_name_idx ON quebec_search_document (name)",
    "CREATE INDEX IF NOT EXISTS quebec_search_document_fields_idx"
    " ON quebec_search_document USING gin (fields)",
    "CREATE INDEX IF NOT EXISTS quebec_search_document_text_idx"
    " ON quebec_search_document USING gin (search_text)",
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS quebec_search_document",
    "DROP FUNCTION IF EXISTS quebec_search_field_text(jsonb, text)",
    "DROP FUNCTION IF EXISTS quebec_search_try_timestamp(text)",
    "DROP FUNCTION IF EXISTS quebec_search_try_number(text)",
    "DROP FUNCTION IF EXISTS quebec_search_phrase(text)",
    "DROP FUNCTION IF EXISTS quebec_search_words(text)",
    "DROP FUNCTION IF EXISTS quebec_search_vector(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS quebec_fr",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS quebec_en",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
