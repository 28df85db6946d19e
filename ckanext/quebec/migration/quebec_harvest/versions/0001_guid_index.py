"""An index on the harvested datasets' guid, which ckanext-dcat's harvester looks up for every record.

dcat_rdf_harvester finds the dataset already holding a record's guid
(``_read_datasets_from_db``) before it creates or updates it. On CKAN 2.12
that is ``package.extras['guid']``, on 2.11 a join on ``package_extra`` by key
and value: without an index, a sequential scan of the catalogue per record
(34 ms at 17,531 datasets, docs/performance.md), so a harvest slowed down as
the catalogue grew. The index is the expression the query uses, on the CKAN
schema in place: 2.12's ``extras`` column, or 2.11's ``package_extra`` table.

Revision ID: 0001_guid_index
Revises:
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

revision = "0001_guid_index"
down_revision = None
branch_labels = None
depends_on = None

# CKAN 2.12: the extras are a jsonb column of package (its migration 106).
PACKAGE_EXTRAS = "quebec_harvest_package_guid"
# CKAN 2.11: one package_extra row per extra.
PACKAGE_EXTRA_ROWS = "quebec_harvest_package_extra_guid"


def _extras_column() -> bool:
    return bool(op.get_bind().execute(sa.text(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = 'package' AND column_name = 'extras'")).scalar())


def upgrade():
    if _extras_column():
        op.execute(f"CREATE INDEX IF NOT EXISTS {PACKAGE_EXTRAS} ON package ((extras['guid']))")
    else:
        op.execute(f"CREATE INDEX IF NOT EXISTS {PACKAGE_EXTRA_ROWS} ON package_extra (value)"
                   " WHERE key = 'guid'")


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {PACKAGE_EXTRAS}")
    op.execute(f"DROP INDEX IF EXISTS {PACKAGE_EXTRA_ROWS}")
