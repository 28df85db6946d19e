"""The guides of the pedagogical section, their kept revisions and the guide editors.

Revision ID: 0001_guides
Revises:
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_guides"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    texts = [sa.Column(f"{field}_{language}", sa.UnicodeText, nullable=False, server_default="")
             for field in ("title", "summary", "body") for language in ("fr", "en")]
    op.create_table(
        "quebec_guide",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="draft"),
        *texts,
        sa.Column("audience", postgresql.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("topic", sa.UnicodeText, nullable=False),
        sa.Column("datasets", postgresql.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("categories", postgresql.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("author_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("published", sa.DateTime),
        sa.CheckConstraint("state IN ('draft', 'published')", name="quebec_guide_state"),
    )
    op.create_index("quebec_guide_datasets", "quebec_guide", ["datasets"], postgresql_using="gin")
    op.create_index("quebec_guide_categories", "quebec_guide", ["categories"], postgresql_using="gin")
    op.create_table(
        "quebec_guide_revision",
        sa.Column("guide_id", sa.UnicodeText, sa.ForeignKey("quebec_guide.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("content", postgresql.JSONB, nullable=False),
        sa.Column("author_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "quebec_guide_editor",
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("quebec_guide_editor")
    op.drop_table("quebec_guide_revision")
    op.drop_table("quebec_guide")
