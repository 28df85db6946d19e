"""Create the participation tables: suggestions with their status history, votes, comments, campaigns.

Revision ID: 0001_create_participation_tables
Revises:
Create Date: 2026-12-04

"""
from alembic import op

revision = "0001_create_participation_tables"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = [
    # A citizen's data need. Texts by language as JSON ({"fr": ..., "en": ...});
    # status and last_activity are those of the newest history row, kept here
    # so that lists filter and sort without reading the history.
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_suggestion (
        id text PRIMARY KEY,
        title jsonb NOT NULL,
        description jsonb NOT NULL,
        category text NOT NULL,
        territories text[] NOT NULL DEFAULT '{}',
        reason text NOT NULL,
        owner_org text,
        user_id text NOT NULL,
        status text NOT NULL DEFAULT 'proposed',
        datasets text[] NOT NULL DEFAULT '{}',
        hidden_reason text,
        merged_into text REFERENCES quebec_participation_suggestion (id) ON DELETE SET NULL,
        created timestamptz NOT NULL DEFAULT now(),
        last_activity timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_participation_suggestion_activity
       ON quebec_participation_suggestion (last_activity DESC)""",
    """CREATE INDEX IF NOT EXISTS quebec_participation_suggestion_org
       ON quebec_participation_suggestion (owner_org, status)""",
    # Each status a suggestion took, dated, with the organization's answer
    # (a refusal's reason) by language.
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_status (
        id bigserial PRIMARY KEY,
        suggestion_id text NOT NULL REFERENCES quebec_participation_suggestion (id) ON DELETE CASCADE,
        status text NOT NULL,
        answer jsonb,
        user_id text NOT NULL,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_participation_status_suggestion
       ON quebec_participation_status (suggestion_id, created)""",
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_vote (
        suggestion_id text NOT NULL REFERENCES quebec_participation_suggestion (id) ON DELETE CASCADE,
        user_id text NOT NULL,
        created timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (suggestion_id, user_id)
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_participation_vote_user
       ON quebec_participation_vote (user_id, created)""",
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_comment (
        id text PRIMARY KEY,
        suggestion_id text NOT NULL REFERENCES quebec_participation_suggestion (id) ON DELETE CASCADE,
        user_id text NOT NULL,
        text text NOT NULL,
        hidden_reason text,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_participation_comment_suggestion
       ON quebec_participation_comment (suggestion_id, created)""",
    """CREATE INDEX IF NOT EXISTS quebec_participation_comment_user
       ON quebec_participation_comment (user_id, created)""",
    # The prioritization campaign: a theme, dates, a number of votes per person.
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_campaign (
        id text PRIMARY KEY,
        title jsonb NOT NULL,
        description jsonb NOT NULL,
        category text,
        opens timestamptz NOT NULL,
        closes timestamptz NOT NULL,
        max_votes integer NOT NULL,
        user_id text NOT NULL,
        created timestamptz NOT NULL DEFAULT now(),
        CHECK (opens < closes),
        CHECK (max_votes > 0)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_campaign_candidate (
        campaign_id text NOT NULL REFERENCES quebec_participation_campaign (id) ON DELETE CASCADE,
        suggestion_id text NOT NULL REFERENCES quebec_participation_suggestion (id) ON DELETE CASCADE,
        PRIMARY KEY (campaign_id, suggestion_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_campaign_vote (
        campaign_id text NOT NULL REFERENCES quebec_participation_campaign (id) ON DELETE CASCADE,
        suggestion_id text NOT NULL REFERENCES quebec_participation_suggestion (id) ON DELETE CASCADE,
        user_id text NOT NULL,
        created timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (campaign_id, suggestion_id, user_id)
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_participation_campaign_vote_user
       ON quebec_participation_campaign_vote (campaign_id, user_id)""",
    # Accounts that asked not to be told of status changes by e-mail.
    """
    CREATE TABLE IF NOT EXISTS quebec_participation_optout (
        user_id text PRIMARY KEY,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for table in ("optout", "campaign_vote", "campaign_candidate", "campaign", "comment", "vote", "status", "suggestion"):
        op.execute(f"DROP TABLE IF EXISTS quebec_participation_{table}")
