"""GIN pending lists of 64 kB (PostgreSQL's smallest) instead of 256 kB.

A GIN index keeps the pages of its last pending list after merging it, and
the index is in two partitions (0007) with three GIN indexes each (0009): on
a small catalogue these remnants were a tenth of the index (1,000 datasets
rebuilt: 13.9 MB with 256 kB lists, 12.9 MB with 64 kB, against 4.4 MB of
JSON). The rebuild was no slower (10,000 datasets: 133 and 131 datasets/s).

A partitioned index takes no ALTER INDEX ... SET: the three are created
again, which also packs them.

Revision ID: 0010_smaller_pending_lists
Revises: 0009_fields_path_index
Create Date: 2026-11-23

"""
from alembic import op

revision = "0010_smaller_pending_lists"
down_revision = "0009_fields_path_index"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"
# name: indexed expression, as 0007 and 0009 create them
GIN_INDEXES = {
    f"{TABLE}_text_idx": "search_text",
    f"{TABLE}_fields_idx": "fields jsonb_path_ops",
    f"{TABLE}_field_names_idx": "quebec_search_field_names(fields)",
}


def _recreated(pending_list_kb: int) -> list[str]:
    return [statement for name, expression in GIN_INDEXES.items() for statement in (
        f"DROP INDEX IF EXISTS {name}",
        f"CREATE INDEX {name} ON {TABLE} USING gin ({expression})"
        f" WITH (gin_pending_list_limit = {pending_list_kb})")]


def upgrade():
    for statement in _recreated(64):
        op.execute(statement)


def downgrade():
    for statement in _recreated(256):
        op.execute(statement)
