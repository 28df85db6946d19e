"""A number for each document's signature, which filters compare faster than its jsonb.

Every search filters on signature fields (CKAN's permission labels, site,
state...). A search that reads all its matches tested four jsonb containments
per match: about 4 ms of the 20 that reading 4,700 matches of one partition
takes. The segments (one row per signature) answer those conditions once;
the documents are then picked by their signature's key, a bigint compared
in a few nanoseconds (connection.py checks that no two segments the filters
tell apart share a key before relying on it).

Revision ID: 0008_signature_key
Revises: 0007_partitioned_documents
Create Date: 2026-11-23

"""
from alembic import op

revision = "0008_signature_key"
down_revision = "0007_partitioned_documents"
branch_labels = None
depends_on = None

# Computed after the BEFORE trigger that sets ``signature`` (0004), as every
# generated column is; connection.py computes the segments' keys alike.
UPGRADE = [
    "ALTER TABLE quebec_search_document ADD COLUMN IF NOT EXISTS signature_key bigint"
    " GENERATED ALWAYS AS (hashtextextended(signature::text, 0)) STORED",
]
DOWNGRADE = [
    "ALTER TABLE IF EXISTS quebec_search_document DROP COLUMN IF EXISTS signature_key",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
