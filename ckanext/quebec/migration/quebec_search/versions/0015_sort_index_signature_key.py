"""The default sort's index holds each document's signature key: a deep page read from the index alone.

package_search's default order (``metadata_modified desc``, then the index
id) is read from an index of those two columns, in order; every row before
the page is checked against the reader's permissions. That check read the
row itself: a page at start=5000 of 10,000 datasets read 5,021 rows (7,117
buffers) to skip 5,000. With the signature's key (0008) in the index as an
included column, the rows are picked by their key without leaving the index
(an index-only scan, for the pages the visibility map marks all-visible).

Revision ID: 0015_sort_index_signature_key
Revises: 0014_ngrams_millisecond_dates
Create Date: 2026-12-05

"""
from alembic import op

revision = "0015_sort_index_signature_key"
down_revision = "0014_ngrams_millisecond_dates"
branch_labels = None
depends_on = None

TABLE = "quebec_search_document"
SORT_COLUMNS = "metadata_modified DESC NULLS LAST, index_id"  # as 0004 and 0012

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified_key_idx ON {TABLE} ({SORT_COLUMNS})"
    " INCLUDE (signature_key)",
    f"DROP INDEX IF EXISTS {TABLE}_modified_idx",
]
DOWNGRADE = [
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified_idx ON {TABLE} ({SORT_COLUMNS})",
    f"DROP INDEX IF EXISTS {TABLE}_modified_key_idx",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
