"""Campaign entries: candidates a sysadmin writes into a campaign (bilingual title and text), votable like suggestions.

A campaign vote is for a suggestion or for an entry (exactly one of the two
columns), each column keeping its foreign key; one vote per person and
candidate is kept by two partial unique indexes instead of the primary key.

Revision ID: 0003_campaign_entries
Revises: 0002_suggestion_vote_count
Create Date: 2026-12-05

"""
from alembic import op

revision = "0003_campaign_entries"
down_revision = "0002_suggestion_vote_count"
branch_labels = None
depends_on = None

UPGRADE = [
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_campaign_entry (
        id text PRIMARY KEY,
        campaign_id text NOT NULL REFERENCES quebec_participation_campaign (id) ON DELETE CASCADE,
        title jsonb NOT NULL,
        description jsonb NOT NULL,
        user_id text NOT NULL,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_participation_campaign_entry_campaign
       ON quebec_participation_campaign_entry (campaign_id, created)""",
    "ALTER TABLE quebec_participation_campaign_vote DROP CONSTRAINT IF EXISTS quebec_participation_campaign_vote_pkey",
    "ALTER TABLE quebec_participation_campaign_vote ALTER COLUMN suggestion_id DROP NOT NULL",
    """ALTER TABLE quebec_participation_campaign_vote ADD COLUMN IF NOT EXISTS entry_id text
       REFERENCES quebec_participation_campaign_entry (id) ON DELETE CASCADE""",
    """ALTER TABLE quebec_participation_campaign_vote ADD CONSTRAINT quebec_participation_campaign_vote_one_candidate
       CHECK ((suggestion_id IS NULL) <> (entry_id IS NULL))""",
    """CREATE UNIQUE INDEX IF NOT EXISTS quebec_participation_campaign_vote_suggestion
       ON quebec_participation_campaign_vote (campaign_id, suggestion_id, user_id) WHERE suggestion_id IS NOT NULL""",
    """CREATE UNIQUE INDEX IF NOT EXISTS quebec_participation_campaign_vote_entry
       ON quebec_participation_campaign_vote (campaign_id, entry_id, user_id) WHERE entry_id IS NOT NULL""",
]

DOWNGRADE = [
    "DELETE FROM quebec_participation_campaign_vote WHERE entry_id IS NOT NULL",
    "DROP INDEX IF EXISTS quebec_participation_campaign_vote_entry",
    "DROP INDEX IF EXISTS quebec_participation_campaign_vote_suggestion",
    "ALTER TABLE quebec_participation_campaign_vote DROP CONSTRAINT IF EXISTS quebec_participation_campaign_vote_one_candidate",
    "ALTER TABLE quebec_participation_campaign_vote DROP COLUMN IF EXISTS entry_id",
    "ALTER TABLE quebec_participation_campaign_vote ALTER COLUMN suggestion_id SET NOT NULL",
    "ALTER TABLE quebec_participation_campaign_vote ADD PRIMARY KEY (campaign_id, suggestion_id, user_id)",
    "DROP TABLE IF EXISTS quebec_participation_campaign_entry",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
