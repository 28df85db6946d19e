"""Index the envelopes ckanext-spatial's solr-bbox backend puts in the index (minx ... maxy).

Revision ID: 0003_spatial_bbox_index
Revises: 0002_language_vectors
Create Date: 2026-11-22

"""
from alembic import op

revision = "0003_spatial_bbox_index"
# Chained after 0002 (written at the same time): two heads would stop
# ``ckan db upgrade -p quebec_search`` and every test's clean_db.
down_revision = "0002_language_vectors"
branch_labels = None
depends_on = None

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    # A dataset's envelope as a box, NULL unless all four numbers are there;
    # spatial.py's bbox prefilter compares it with && so that this index
    # answers it instead of a scan computing the overlap of every dataset.
    """
    CREATE OR REPLACE FUNCTION quebec_search_bbox(fields jsonb) RETURNS box
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT box(point(quebec_search_try_number(fields -> 'minx' ->> 0),
                       quebec_search_try_number(fields -> 'miny' ->> 0)),
                 point(quebec_search_try_number(fields -> 'maxx' ->> 0),
                       quebec_search_try_number(fields -> 'maxy' ->> 0)))
    $$
    """,
    "CREATE INDEX IF NOT EXISTS quebec_search_document_bbox_idx"
    " ON quebec_search_document USING gist (quebec_search_bbox(fields))",
]

DOWNGRADE = [
    "DROP INDEX IF EXISTS quebec_search_document_bbox_idx",
    "DROP FUNCTION IF EXISTS quebec_search_bbox(jsonb)",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
