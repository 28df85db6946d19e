"""Keep each suggestion's vote count on its row, indexed, so the ranking by votes reads no vote.

Counting the votes of every suggestion to rank them took over a second with
10,000 suggestions and 200,000 votes (bench/participation.py). The count is
written in the same transaction as the vote it counts (store.py).

Revision ID: 0002_suggestion_vote_count
Revises: 0001_create_participation_tables
Create Date: 2026-12-04

"""
from alembic import op

revision = "0002_suggestion_vote_count"
down_revision = "0001_create_participation_tables"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE quebec_participation_suggestion "
               "ADD COLUMN IF NOT EXISTS vote_count integer NOT NULL DEFAULT 0")
    op.execute("UPDATE quebec_participation_suggestion s SET vote_count = "
               "(SELECT count(*) FROM quebec_participation_vote v WHERE v.suggestion_id = s.id)")
    op.execute("CREATE INDEX IF NOT EXISTS quebec_participation_suggestion_votes "
               "ON quebec_participation_suggestion (vote_count DESC, last_activity DESC, id)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS quebec_participation_suggestion_votes")
    op.execute("ALTER TABLE quebec_participation_suggestion DROP COLUMN IF EXISTS vote_count")
