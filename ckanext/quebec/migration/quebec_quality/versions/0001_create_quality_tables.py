"""Create the quality tables: resource checks, dataset results and reference designations, each with its history.

Revision ID: 0001_create_quality_tables
Revises:
Create Date: 2026-11-22

"""
from alembic import op

revision = "0001_create_quality_tables"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = [
    # One row per check of a resource (validation of its data, or link
    # check of its URL); the newest per (resource, kind) is the current one.
    """
    CREATE TABLE IF NOT EXISTS quebec_quality_resource_check (
        id bigserial PRIMARY KEY,
        resource_id text NOT NULL,
        package_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('validation', 'link')),
        status text NOT NULL,
        fingerprint text,
        result jsonb NOT NULL,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_quality_resource_check_current
       ON quebec_quality_resource_check (resource_id, kind, created DESC)""",
    """CREATE INDEX IF NOT EXISTS quebec_quality_resource_check_package
       ON quebec_quality_resource_check (package_id, created DESC)""",
    # One row per scoring of a dataset.
    """
    CREATE TABLE IF NOT EXISTS quebec_quality_dataset (
        id bigserial PRIMARY KEY,
        package_id text NOT NULL,
        score integer NOT NULL,
        level text NOT NULL,
        validation text NOT NULL,
        result jsonb NOT NULL,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_quality_dataset_current
       ON quebec_quality_dataset (package_id, created DESC, id DESC)""",
    # Grants and withdrawals of the "Donnée de référence" designation.
    """
    CREATE TABLE IF NOT EXISTS quebec_quality_reference (
        id bigserial PRIMARY KEY,
        package_id text NOT NULL,
        granted boolean NOT NULL,
        mandate text,
        date date,
        user_id text,
        created timestamptz NOT NULL DEFAULT now()
    )
    """,
    """CREATE INDEX IF NOT EXISTS quebec_quality_reference_current
       ON quebec_quality_reference (package_id, created DESC, id DESC)""",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    op.execute("DROP TABLE IF EXISTS quebec_quality_reference")
    op.execute("DROP TABLE IF EXISTS quebec_quality_dataset")
    op.execute("DROP TABLE IF EXISTS quebec_quality_resource_check")
