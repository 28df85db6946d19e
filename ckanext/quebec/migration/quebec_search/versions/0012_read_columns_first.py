"""The document table's columns in a new order: those a search reads for every match first.

A row is a few kilobytes (``fields``, ``stored`` and ``search_text`` kept in
it, 0004). To read one column PostgreSQL walks every column before it, and
each large one it steps over is another cache miss: a text search reads
name, signature key, date, packed facet numbers, title keys and vectors for
every match, and found most of them after ``fields`` and ``stored``. With
these columns first, one partition's 4,800 matches at 100,000 datasets are
read, ranked and counted in 23 ms instead of 27 (medians of 51, the same
rows copied in either order).

PostgreSQL cannot reorder columns: the table is created again in this order
and the documents copied, as 0007 did. The copy keeps the documents'
columns as they are (their triggers are created after it), and the facet
counts, which already count them, stay as they are. Each document stays in
its partition (same modulus, same key).

The downgrade leaves the order as it is: the table holds the same columns
either way, and no earlier migration depends on their order.

Revision ID: 0012_read_columns_first
Revises: 0011_packed_facet_ids
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

revision = "0012_read_columns_first"
down_revision = "0011_packed_facet_ids"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"
NEW = f"{TABLE}_reordered"
PARTITIONS = 2  # as 0007
PENDING_LIST_KB = 64  # as 0010
_IN_ROW_COLUMNS = ("fields", "search_text", "search_text_fr", "search_text_en")  # as 0004

# Every column, small ones first; the vectors before the two large jsonb.
_COLUMNS = [
    ("index_id", "text NOT NULL"),
    ("id", "text NOT NULL"),
    ("name", "text"),
    ("site_id", "text NOT NULL"),
    ("signature", "jsonb NOT NULL DEFAULT '{}'::jsonb"),
    ("signature_key", "bigint GENERATED ALWAYS AS (hashtextextended(signature::text, 0)) STORED"),
    ("metadata_modified", "timestamp with time zone"),
    ("indexed_at", "timestamp with time zone NOT NULL DEFAULT now()"),
    ("facet_ids", "integer[] NOT NULL DEFAULT '{}'::integer[]"),
    ("facet_bytes", "bytea GENERATED ALWAYS AS (quebec_search_packed_ids(facet_ids)) STORED"),
    ("title_keys", "text[] NOT NULL DEFAULT '{}'::text[]"),
    ("search_text_fr", "tsvector NOT NULL DEFAULT ''::tsvector"),
    ("search_text_en", "tsvector NOT NULL DEFAULT ''::tsvector"),
    ("search_text", "tsvector NOT NULL"),
    ("fields", "jsonb NOT NULL"),
    ("stored", "jsonb NOT NULL"),
]
_COPIED = ", ".join(name for name, definition in _COLUMNS if "GENERATED" not in definition)

# The table's indexes and triggers, as migrations 0007 to 0010 left them.
_INDEXES = [
    f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (index_id)",
    f"CREATE INDEX {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE INDEX {TABLE}_name_idx ON {TABLE} (name)",
    f"CREATE INDEX {TABLE}_fields_idx ON {TABLE} USING gin (fields jsonb_path_ops)"
    f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
    f"CREATE INDEX {TABLE}_text_idx ON {TABLE} USING gin (search_text)"
    f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
    f"CREATE INDEX {TABLE}_field_names_idx ON {TABLE}"
    f" USING gin (quebec_search_field_names(fields)) WITH (gin_pending_list_limit = {PENDING_LIST_KB})",
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
    """The columns every match is read for stay in the row, as 0007 keeps them."""
    return [
        *([f"ALTER TABLE {table} SET (toast_tuple_target = 8160)"] if rows else []),
        *(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE MAIN"
          for column in _IN_ROW_COLUMNS),
        *(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4"
          for column in _IN_ROW_COLUMNS + ("stored",)),
    ]


UPGRADE = [
    f"CREATE TABLE {NEW} ("
    + ", ".join(f"{name} {definition}" for name, definition in _COLUMNS)
    + ") PARTITION BY HASH (index_id)",
    *(f"CREATE TABLE {NEW}_{remainder} PARTITION OF {NEW}"
      f" FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})"
      for remainder in range(PARTITIONS)),
    *_storage(NEW, rows=False),
    *(statement for remainder in range(PARTITIONS)
      for statement in _storage(f"{NEW}_{remainder}")),
    f"INSERT INTO {NEW} ({_COPIED}) SELECT {_COPIED} FROM {TABLE}",
    f"DROP TABLE {TABLE}",
    f"ALTER TABLE {NEW} RENAME TO {TABLE}",
    *(f"ALTER TABLE {NEW}_{remainder} RENAME TO {TABLE}_{remainder}"
      for remainder in range(PARTITIONS)),
    *_INDEXES,
    *_TRIGGERS,
    f"ANALYZE {TABLE}",
]


def _in_new_order() -> bool:
    """Whether the table's columns are already those of _COLUMNS, in that order."""
    names = op.get_bind().execute(sa.text(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:table)"
        " AND attnum > 0 AND NOT attisdropped ORDER BY attnum"), {"table": TABLE}).scalars()
    return list(names) == [name for name, _ in _COLUMNS]


def upgrade():
    # Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
    if _in_new_order():
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    pass
