"""Posting lists: a build of the index's words, and the documents changed since it.

A build (``ckan quebec search build-postings``, postings_build.py) reads the
index in one snapshot and writes, per word (lexeme) of ``search_text`` and
of each language's vector, the documents that hold it with their rank for
that word alone; with the documents' numbering and the values a search
reads for every match (signature key, title length norm, facet numbers).
A search of plain words reads its words' lists instead of ranking every
match in SQL (postings_read.py).

The documents written since the build are listed by statement triggers
(transition tables, as quebec_search_count_rows) in
``quebec_search_changed``, while a build is current or under way: a search
leaves them out of the lists and reads them with the statement. The next
build deletes the rows its snapshot saw.
A TRUNCATE of the index empties that list and leaves no build valid.

Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.

Revision ID: 0017_posting_lists
Revises: 0016_at_least_query
Create Date: 2026-12-06

"""
from alembic import op

revision = "0017_posting_lists"
down_revision = "0016_at_least_query"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"

UPGRADE = [
    # state: building (announced, committed before its snapshot), current (the
    # one searches read), previous (kept while searches may still read it),
    # invalid (the index was truncated after it, the build failed, or the lists
    # were turned off), deleted by the next build or the job after_write queues.
    "CREATE TABLE IF NOT EXISTS quebec_search_posting_build ("
    " id serial PRIMARY KEY,"
    " built_at timestamptz NOT NULL DEFAULT now(),"
    " state text NOT NULL CHECK (state IN ('building', 'current', 'previous', 'invalid')),"
    " documents integer NOT NULL DEFAULT 0,"
    " facet_table bigint,"
    " rebuild_queued_at timestamptz)",
    "CREATE UNIQUE INDEX IF NOT EXISTS quebec_search_posting_build_current_idx"
    " ON quebec_search_posting_build (state) WHERE state = 'current'",
    # field: 0 search_text, 1 search_text_fr, 2 search_text_en. data,
    # little-endian: document numbers int32[df], rank for the lexeme alone
    # float32[df] (default weights), and for field 0 the same with weights
    # {1,1,1,1} float32[df]. Kept out of the row, uncompressed: a search
    # reads a few lists whole.
    "CREATE TABLE IF NOT EXISTS quebec_search_posting_list ("
    " build_id integer NOT NULL REFERENCES quebec_search_posting_build ON DELETE CASCADE,"
    " field smallint NOT NULL,"
    " lexeme text NOT NULL,"
    " df integer NOT NULL,"
    " data bytea NOT NULL,"
    " PRIMARY KEY (build_id, field, lexeme))",
    "ALTER TABLE quebec_search_posting_list ALTER COLUMN data SET STORAGE EXTERNAL",
    # The build's numbering: documents in index_id order (COLLATE "C"), with
    # what the exact-name boost reads.
    "CREATE TABLE IF NOT EXISTS quebec_search_posting_document ("
    " build_id integer NOT NULL REFERENCES quebec_search_posting_build ON DELETE CASCADE,"
    " number integer NOT NULL,"
    " index_id text NOT NULL,"
    " name text,"
    " title_keys text[] NOT NULL DEFAULT '{}',"
    " PRIMARY KEY (build_id, number))",
    # Arrays by document number (postings_build.FORWARD), native byte order.
    "CREATE TABLE IF NOT EXISTS quebec_search_posting_forward ("
    " build_id integer NOT NULL REFERENCES quebec_search_posting_build ON DELETE CASCADE,"
    " name text NOT NULL,"
    " data bytea NOT NULL,"
    " PRIMARY KEY (build_id, name))",
    "ALTER TABLE quebec_search_posting_forward ALTER COLUMN data SET STORAGE EXTERNAL",
    "CREATE TABLE IF NOT EXISTS quebec_search_changed ("
    " index_id text NOT NULL,"
    " changed_at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX IF NOT EXISTS quebec_search_changed_index_id_idx"
    " ON quebec_search_changed (index_id)",
    """
    CREATE OR REPLACE FUNCTION quebec_search_note_changes() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      -- Listed only while a build is current or under way (announced before
      -- its snapshot, postings_build.build): otherwise nothing reads the list.
      IF NOT EXISTS (SELECT 1 FROM quebec_search_posting_build
                     WHERE state IN ('building', 'current')) THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'INSERT' THEN
        INSERT INTO quebec_search_changed (index_id) SELECT DISTINCT index_id FROM new_rows;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO quebec_search_changed (index_id) SELECT DISTINCT index_id FROM old_rows;
      ELSE
        INSERT INTO quebec_search_changed (index_id)
        SELECT index_id FROM old_rows UNION SELECT index_id FROM new_rows;
      END IF;
      RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION quebec_search_forget_changes() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM quebec_search_changed;
      UPDATE quebec_search_posting_build SET state = 'invalid' WHERE state <> 'invalid';
      RETURN NULL;
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS quebec_search_changed_insert ON {TABLE}",
    f"DROP TRIGGER IF EXISTS quebec_search_changed_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS quebec_search_changed_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS quebec_search_changed_truncate ON {TABLE}",
    f"CREATE TRIGGER quebec_search_changed_insert AFTER INSERT ON {TABLE}"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_note_changes()",
    f"CREATE TRIGGER quebec_search_changed_update AFTER UPDATE ON {TABLE}"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_note_changes()",
    f"CREATE TRIGGER quebec_search_changed_delete AFTER DELETE ON {TABLE}"
    " REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_note_changes()",
    f"CREATE TRIGGER quebec_search_changed_truncate AFTER TRUNCATE ON {TABLE}"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_forget_changes()",
]

DOWNGRADE = [
    f"DROP TRIGGER IF EXISTS quebec_search_changed_insert ON {TABLE}",
    f"DROP TRIGGER IF EXISTS quebec_search_changed_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS quebec_search_changed_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS quebec_search_changed_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS quebec_search_note_changes()",
    "DROP FUNCTION IF EXISTS quebec_search_forget_changes()",
    "DROP TABLE IF EXISTS quebec_search_changed",
    "DROP TABLE IF EXISTS quebec_search_posting_forward",
    "DROP TABLE IF EXISTS quebec_search_posting_document",
    "DROP TABLE IF EXISTS quebec_search_posting_list",
    "DROP TABLE IF EXISTS quebec_search_posting_build",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
