"""Organizations refer to their umbrella partner (organisation_principale) by id instead of by name.

A name can be taken again by another organization once its owner is renamed
or deleted; an id cannot. A stored name that is an organization's current
name becomes its id; one that names no organization is dropped (it referred
to nothing; read by name it could come to designate a new organization). A
value that already is an organization's id is left alone, so running this
again changes nothing. The downgrade writes the umbrellas' current names back.

CKAN 2.12 keeps an organization's extras in a JSON column of "group", CKAN
2.11 in the group_extra table: both are handled.

Revision ID: 0001_umbrella_by_id
Revises:
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = "0001_umbrella_by_id"
down_revision = None
branch_labels = None
depends_on = None

# CKAN 2.12: "group".extras (jsonb).
JSON_UPGRADE = [
    """
    UPDATE "group" g
    SET extras = jsonb_set(g.extras, '{organisation_principale}', to_jsonb(u.id))
    FROM "group" u
    WHERE g.is_organization AND g.extras ? 'organisation_principale'
      AND u.is_organization AND u.name = g.extras->>'organisation_principale'
      AND NOT EXISTS (SELECT FROM "group" x WHERE x.is_organization
                      AND x.id = g.extras->>'organisation_principale')
    """,
    """
    UPDATE "group" g SET extras = g.extras - 'organisation_principale'
    WHERE g.is_organization AND g.extras ? 'organisation_principale'
      AND NOT EXISTS (SELECT FROM "group" x WHERE x.is_organization
                      AND x.id = g.extras->>'organisation_principale')
    """,
]
JSON_DOWNGRADE = """
    UPDATE "group" g
    SET extras = jsonb_set(g.extras, '{organisation_principale}', to_jsonb(u.name))
    FROM "group" u
    WHERE g.is_organization AND u.is_organization
      AND u.id = g.extras->>'organisation_principale'
"""

# CKAN 2.11: group_extra rows.
ROWS_UPGRADE = [
    """
    UPDATE group_extra e SET value = u.id
    FROM "group" g, "group" u
    WHERE e.key = 'organisation_principale' AND e.group_id = g.id AND g.is_organization
      AND u.is_organization AND u.name = e.value
      AND NOT EXISTS (SELECT FROM "group" x WHERE x.is_organization AND x.id = e.value)
    """,
    """
    DELETE FROM group_extra e
    USING "group" g
    WHERE e.key = 'organisation_principale' AND e.group_id = g.id AND g.is_organization
      AND NOT EXISTS (SELECT FROM "group" x WHERE x.is_organization AND x.id = e.value)
    """,
]
ROWS_DOWNGRADE = """
    UPDATE group_extra e SET value = u.name
    FROM "group" g, "group" u
    WHERE e.key = 'organisation_principale' AND e.group_id = g.id AND g.is_organization
      AND u.is_organization AND u.id = e.value
"""


def _extras_in_group_table() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("group")
    return any(column["name"] == "extras" for column in columns)


def upgrade():
    for statement in JSON_UPGRADE if _extras_in_group_table() else ROWS_UPGRADE:
        op.execute(statement)


def downgrade():
    op.execute(JSON_DOWNGRADE if _extras_in_group_table() else ROWS_DOWNGRADE)
