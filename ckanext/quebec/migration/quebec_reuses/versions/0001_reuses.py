"""The reuses: what people built with the portal's data, shown once approved.

Revision ID: 0001_reuses
Revises:
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_reuses"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "quebec_reuse",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        *(sa.Column(f"{field}_{language}", sa.UnicodeText, nullable=False, server_default="")
          for field in ("title", "description") for language in ("fr", "en")),
        sa.Column("reuse_type", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("image", sa.UnicodeText),
        sa.Column("datasets", postgresql.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("categories", postgresql.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("organizations", postgresql.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("submitter_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("reviewer_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("reviewed", sa.DateTime),
        sa.CheckConstraint("state IN ('pending', 'approved', 'rejected')", name="quebec_reuse_state"),
    )
    op.create_index("quebec_reuse_datasets", "quebec_reuse", ["datasets"], postgresql_using="gin")


def downgrade():
    op.drop_table("quebec_reuse")
