"""Narrow columns for the filters and the sort every search uses; facet counts kept by segment.

Revision ID: 0004_filter_sort_facet_counts
Revises: 0003_spatial_bbox_index
Create Date: 2026-11-22

"""
from alembic import op

revision = "0004_filter_sort_facet_counts"
down_revision = "0003_spatial_bbox_index"
branch_labels = None
depends_on = None

# The fields CKAN filters every search on (fields.SIGNATURE_FIELDS). Keep the two lists equal.
SIGNATURE_FIELDS = ("capacity", "dataset_type", "entity_type", "permission_labels",
                    "site_id", "state", "type")
_SIGNATURE_ARRAY = "ARRAY[" + ", ".join(f"'{name}'" for name in SIGNATURE_FIELDS) + "]"

_IN_ROW_COLUMNS = ("fields", "search_text", "search_text_fr", "search_text_en")

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    # A document's values of the signature fields: a few bytes kept in the
    # row itself, where ``fields`` is compressed out of line and must be read
    # back whole for each filter.
    f"""
    CREATE OR REPLACE FUNCTION quebec_search_signature(fields jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT coalesce(jsonb_object_agg(key, value), '{{}}'::jsonb)
      FROM jsonb_each(fields) WHERE key = ANY({_SIGNATURE_ARRAY})
    $$
    """,
    "ALTER TABLE quebec_search_document"
    " ADD COLUMN IF NOT EXISTS signature jsonb NOT NULL DEFAULT '{}'::jsonb",
    "ALTER TABLE quebec_search_document"
    " ADD COLUMN IF NOT EXISTS metadata_modified timestamptz",
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
    "DROP TRIGGER IF EXISTS quebec_search_document_columns ON quebec_search_document",
    "CREATE TRIGGER quebec_search_document_columns"
    " BEFORE INSERT OR UPDATE OF fields ON quebec_search_document"
    " FOR EACH ROW EXECUTE FUNCTION quebec_search_document_columns()",
    # What searches read for every matching document (its fields for
    # facets, its vectors for ranking) stays in the row, compressed with lz4,
    # instead of a lookup in the TOAST table per value; the stored dataset,
    # read for the page only, is what leaves the row first.
    "ALTER TABLE quebec_search_document SET (toast_tuple_target = 8160)",
    *(f"ALTER TABLE quebec_search_document ALTER COLUMN {column} SET STORAGE MAIN"
      for column in _IN_ROW_COLUMNS),
    *(f"ALTER TABLE quebec_search_document ALTER COLUMN {column} SET COMPRESSION lz4"
      for column in _IN_ROW_COLUMNS + ("stored",)),
    "UPDATE quebec_search_document SET fields = fields",
    # The default sort of package_search (after score) and its tie-breaker.
    "CREATE INDEX IF NOT EXISTS quebec_search_document_modified_idx"
    " ON quebec_search_document (metadata_modified DESC NULLS LAST, index_id)",
    # Facet counts of the whole index, per segment: the documents sharing one
    # signature. A search that only filters on signature fields (the portal's
    # home page, an anonymous visitor's dataset list) adds up the counts of
    # the segments it matches instead of reading every document. Kept exact
    # by the statement triggers below, in the writing transaction; the fields
    # counted are registered on first use (quebec_search_counted_field).
    """
    CREATE TABLE IF NOT EXISTS quebec_search_segment (
      id serial PRIMARY KEY,
      signature jsonb NOT NULL UNIQUE,
      documents bigint NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS quebec_search_counted_field (
      field text PRIMARY KEY
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS quebec_search_facet_count (
      segment_id integer NOT NULL,
      field text NOT NULL,
      value text NOT NULL,
      documents bigint NOT NULL,
      PRIMARY KEY (field, segment_id, value)
    )
    """,
    # Rows leaving (-1) and entering (+1) the index in one statement, read
    # from the statement's transition tables.
    """
    CREATE OR REPLACE FUNCTION quebec_search_count_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      changes text;
    BEGIN
      changes := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT signature, fields, 1 AS sign FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT signature, fields, -1 AS sign FROM old_rows'
        ELSE 'SELECT signature, fields, -1 AS sign FROM old_rows'
             ' UNION ALL SELECT signature, fields, 1 FROM new_rows'
      END;
      -- Segments first, in a fixed order so that concurrent writers lock alike.
      EXECUTE format($sql$
        INSERT INTO quebec_search_segment AS s (signature, documents)
        SELECT c.signature, sum(c.sign) FROM (%s) AS c
        GROUP BY c.signature ORDER BY c.signature
        ON CONFLICT (signature) DO UPDATE SET documents = s.documents + EXCLUDED.documents
      $sql$, changes);
      IF EXISTS (SELECT 1 FROM quebec_search_counted_field) THEN
        EXECUTE format($sql$
          INSERT INTO quebec_search_facet_count AS f (segment_id, field, value, documents)
          SELECT s.id, counted.field, e.value, sum(c.sign)
          FROM (%s) AS c
          JOIN quebec_search_segment s ON s.signature = c.signature
          CROSS JOIN quebec_search_counted_field counted
          CROSS JOIN LATERAL jsonb_array_elements_text(c.fields -> counted.field) AS e(value)
          GROUP BY counted.field, s.id, e.value
          ORDER BY counted.field, s.id, e.value
          ON CONFLICT (field, segment_id, value) DO UPDATE
            SET documents = f.documents + EXCLUDED.documents
        $sql$, changes);
        DELETE FROM quebec_search_facet_count WHERE documents = 0;
      END IF;
      RETURN NULL;
    END
    $$
    """,
    "CREATE INDEX IF NOT EXISTS quebec_search_facet_count_empty_idx"
    " ON quebec_search_facet_count (field) WHERE documents = 0",
    """
    CREATE OR REPLACE FUNCTION quebec_search_count_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM quebec_search_facet_count;
      DELETE FROM quebec_search_segment;
      RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS quebec_search_count_insert ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_count_update ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_count_delete ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_count_truncate ON quebec_search_document",
    "CREATE TRIGGER quebec_search_count_insert AFTER INSERT ON quebec_search_document"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_rows()",
    "CREATE TRIGGER quebec_search_count_update AFTER UPDATE ON quebec_search_document"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_rows()",
    "CREATE TRIGGER quebec_search_count_delete AFTER DELETE ON quebec_search_document"
    " REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_rows()",
    "CREATE TRIGGER quebec_search_count_truncate AFTER TRUNCATE ON quebec_search_document"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_truncate()",
    # Segments of the documents already indexed (no field is counted yet).
    "DELETE FROM quebec_search_segment",
    "INSERT INTO quebec_search_segment (signature, documents)"
    " SELECT signature, count(*) FROM quebec_search_document GROUP BY signature",
]

DOWNGRADE = [
    "DROP TRIGGER IF EXISTS quebec_search_count_truncate ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_count_delete ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_count_update ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_count_insert ON quebec_search_document",
    "DROP TRIGGER IF EXISTS quebec_search_document_columns ON quebec_search_document",
    "DROP TABLE IF EXISTS quebec_search_facet_count",
    "DROP TABLE IF EXISTS quebec_search_counted_field",
    "DROP TABLE IF EXISTS quebec_search_segment",
    "DROP INDEX IF EXISTS quebec_search_document_modified_idx",
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS metadata_modified",
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS signature",
    *(f"ALTER TABLE IF EXISTS quebec_search_document ALTER COLUMN {column} SET STORAGE EXTENDED"
      for column in _IN_ROW_COLUMNS),
    *(f"ALTER TABLE IF EXISTS quebec_search_document ALTER COLUMN {column} SET COMPRESSION default"
      for column in _IN_ROW_COLUMNS + ("stored",)),
    "ALTER TABLE IF EXISTS quebec_search_document RESET (toast_tuple_target)",
    "DROP FUNCTION IF EXISTS quebec_search_count_truncate()",
    "DROP FUNCTION IF EXISTS quebec_search_count_rows()",
    "DROP FUNCTION IF EXISTS quebec_search_document_columns()",
    "DROP FUNCTION IF EXISTS quebec_search_signature(jsonb)",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
