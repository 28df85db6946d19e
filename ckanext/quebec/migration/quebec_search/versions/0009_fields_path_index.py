"""Index the documents' field values by path (jsonb_path_ops) and their field names apart.

The GIN index of ``fields`` answers ``field:value`` filters (jsonb
containment). With the default operator class it held every key and every
value of every document as separate entries; jsonb_path_ops holds one hash
per field and value, which is what containment needs: 44 % smaller (1,000
datasets: 1,144 kB → 640 kB per partition) and less to update on every
write. ``field:*`` (key existence, which jsonb_path_ops cannot answer) is
answered by a small index of each document's field names (80 kB).

Revision ID: 0009_fields_path_index
Revises: 0008_signature_key
Create Date: 2026-11-23

"""
from alembic import op

revision = "0009_fields_path_index"
down_revision = "0008_signature_key"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"
PENDING_LIST_KB = 256  # as 0006

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    """
    CREATE OR REPLACE FUNCTION quebec_search_field_names(fields jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(name), '{}') FROM jsonb_object_keys(fields) AS name
    $$
    """,
    f"DROP INDEX IF EXISTS {TABLE}_fields_idx",
    f"CREATE INDEX {TABLE}_fields_idx ON {TABLE} USING gin (fields jsonb_path_ops)"
    f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_field_names_idx ON {TABLE}"
    f" USING gin (quebec_search_field_names(fields)) WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
]
DOWNGRADE = [
    f"DROP INDEX IF EXISTS {TABLE}_field_names_idx",
    f"DROP INDEX IF EXISTS {TABLE}_fields_idx",
    f"CREATE INDEX {TABLE}_fields_idx ON {TABLE} USING gin (fields)"
    f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
    "DROP FUNCTION IF EXISTS quebec_search_field_names(jsonb)",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
