"""PostgreSQL's unaccent, with which the suggestion list folds accents as quebec_search does.

quebec_search's first migration creates the same extension; this plugin runs
without quebec_search, so it asks for it too (IF NOT EXISTS: whichever runs
first creates it). The downgrade keeps it: quebec_search may use it.

Revision ID: 0004_unaccent
Revises: 0003_campaign_entries
Create Date: 2026-12-05

"""
from alembic import op

revision = "0004_unaccent"
down_revision = "0003_campaign_entries"
branch_labels = None
depends_on = None


def upgrade():
    # unaccent is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def downgrade():
    pass
