"""Two readings of Solr's schema: part-of-word matches on names and titles, dates to the millisecond.

``name_ngram`` and ``title_ngram`` (CKAN's package_autocomplete) match a word
found anywhere in a dataset's name or title, as Solr's 2-10 character n-grams
do. Trigram indexes of the lower-cased name and title serve those substring
matches (pg_trgm, a trusted extension the database's owner may create).

Solr keeps dates to the millisecond: a date CKAN returned (microseconds)
then finds its dataset with ``metadata_modified:"...Z"`` or ``[* TO ...]``.
Indexed dates are now read to the millisecond too, documents written before
included; the date column of new and rewritten documents follows.

Revision ID: 0014_ngrams_millisecond_dates
Revises: 0013_cheaper_document_writes
Create Date: 2026-12-04

"""
from alembic import op

revision = "0014_ngrams_millisecond_dates"
down_revision = "0013_cheaper_document_writes"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"
PENDING_LIST_KB = 64  # as 0010
# Solr's n-gram fields and the field each copies (schema.xml's copyField);
# search/fields.py's NGRAM_FIELDS holds the same pairs.
NGRAM_SOURCES = ("name", "title")


def _try_timestamp(value: str) -> str:
    # As 0001 (and PARALLEL UNSAFE as 0002 made it: its exception block
    # opens a subtransaction).
    return f"""
    CREATE OR REPLACE FUNCTION quebec_search_try_timestamp(value text)
    RETURNS timestamptz LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $$
    BEGIN
      RETURN {value};
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END
    $$
    """


# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX IF NOT EXISTS {TABLE}_{source}_ngram_idx ON {TABLE}"
      f" USING gin (lower(quebec_search_field_text(fields, '{source}')) gin_trgm_ops)"
      f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})"
      for source in NGRAM_SOURCES),
    _try_timestamp("date_trunc('milliseconds', value::timestamptz)"),
]
DOWNGRADE = [
    _try_timestamp("value::timestamptz"),
    *(f"DROP INDEX IF EXISTS {TABLE}_{source}_ngram_idx" for source in NGRAM_SOURCES),
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
