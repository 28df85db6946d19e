from ckanext.quebec.migration.alembic_env import run

run(__file__)
