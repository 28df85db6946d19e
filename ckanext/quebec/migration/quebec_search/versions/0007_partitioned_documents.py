"""Split the document table in two hash partitions that one search reads side by side.

A text search reads, ranks and facets every document it matches: 9,400 of
100,000 for two common words, about 60 ms of one core. PostgreSQL's own
parallel plans did not pay here (slower, 91 to 121 ms), but the same
statement run on each half of the index at once, on two connections, took
38 ms instead of 65 (medians of 57, the halves as partitions; the same split
by a filter on a hash of the key took 50, since both halves then read every
matched row). connection.py merges the halves' pages, counts and facets.

Partitions keep one table for everything else: the writes, the triggers,
the filters of other searches (each partition has its own indexes, the same
as the table had) and the checks.

Revision ID: 0007_partitioned_documents
Revises: 0006_gin_pending_list
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

revision = "0007_partitioned_documents"
down_revision = "0006_gin_pending_list"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"
PARTITIONS = 2
PENDING_LIST_KB = 256  # as 0006
_IN_ROW_COLUMNS = ("fields", "search_text", "search_text_fr", "search_text_en")  # as 0004

# The table's indexes and triggers, as migrations 0001 to 0006 left them.
# Created on a partitioned table, each index is created on every partition.
_INDEXES = [
    f"CREATE INDEX {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE INDEX {TABLE}_name_idx ON {TABLE} (name)",
    f"CREATE INDEX {TABLE}_fields_idx ON {TABLE} USING gin (fields)"
    f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
    f"CREATE INDEX {TABLE}_text_idx ON {TABLE} USING gin (search_text)"
    f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
    f"CREATE INDEX {TABLE}_bbox_idx ON {TABLE} USING gist (quebec_search_bbox(fields))",
    f"CREATE INDEX {TABLE}_modified_idx ON {TABLE} (metadata_modified DESC NULLS LAST, index_id)",
]
_TRIGGERS = [
    f"CREATE TRIGGER quebec_search_document_columns BEFORE INSERT OR UPDATE OF fields ON {TABLE}"
    " FOR EACH ROW EXECUTE FUNCTION quebec_search_document_columns()",
    f"CREATE TRIGGER quebec_search_count_insert AFTER INSERT ON {TABLE}"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_rows()",
    f"CREATE TRIGGER quebec_search_count_update AFTER UPDATE ON {TABLE}"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_rows()",
    f"CREATE TRIGGER quebec_search_count_delete AFTER DELETE ON {TABLE}"
    " REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_rows()",
    f"CREATE TRIGGER quebec_search_count_truncate AFTER TRUNCATE ON {TABLE}"
    " FOR EACH STATEMENT EXECUTE FUNCTION quebec_search_count_truncate()",
]


def _storage(table: str, rows: bool = True) -> list[str]:
    """Searches read these columns for every match: kept in the row (0004).

    Set on each partition too: PostgreSQL 15 passes a column's storage on to
    the partitions but not its compression. A partitioned table holds no
    rows of its own (``rows=False``): it takes no toast_tuple_target.
    """
    return [
        *([f"ALTER TABLE {table} SET (toast_tuple_target = 8160)"] if rows else []),
        *(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE MAIN"
          for column in _IN_ROW_COLUMNS),
        *(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4"
          for column in _IN_ROW_COLUMNS + ("stored",)),
    ]


def _rebuilt_as(new_table: list[str], storage: list[str]) -> list[str]:
    """Statements that move the documents into the table ``new_table`` creates.

    The indexes and triggers come after the copy: the copied rows keep their
    columns and the facet counts (which already count them) stay as they are.
    """
    return [
        f"ALTER TABLE {TABLE} RENAME TO {TABLE}_previous",
        *new_table,
        *storage,
        f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_previous",
        f"DROP TABLE {TABLE}_previous",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (index_id)",
        *_INDEXES,
        *_TRIGGERS,
        f"ANALYZE {TABLE}",
    ]


UPGRADE = _rebuilt_as(
    [f"CREATE TABLE {TABLE} (LIKE {TABLE}_previous INCLUDING DEFAULTS) PARTITION BY HASH (index_id)",
     *(f"CREATE TABLE {TABLE}_{remainder} PARTITION OF {TABLE}"
       f" FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})"
       for remainder in range(PARTITIONS))],
    _storage(TABLE, rows=False) + [statement for remainder in range(PARTITIONS)
                                   for statement in _storage(f"{TABLE}_{remainder}")])

DOWNGRADE = _rebuilt_as(
    [f"CREATE TABLE {TABLE} (LIKE {TABLE}_previous INCLUDING DEFAULTS)"],
    _storage(TABLE))


def _is_partitioned() -> bool:
    return bool(op.get_bind().execute(sa.text(
        "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:table)"),
        {"table": TABLE}).first())


def upgrade():
    # Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
    if _is_partitioned():
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    if not _is_partitioned():
        return
    for statement in DOWNGRADE:
        op.execute(statement)
