"""Dropping every table (``ckan db clean``, CKAN's test reset) with the index partitioned.

CKAN drops the tables it reflects in an order that knows nothing of
partitions. In the order that breaks (seen on a test database: the index,
then one of its partitions), the index's listener detaches the partitions
first, so that each ``DROP TABLE`` finds its table.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories

from ckanext.quebec.search import partitions

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

PARENT = partitions.PARTITIONED_TABLE


def _about_to_drop(connection) -> tuple[sa.MetaData, list[str]]:
    """The index and its partitions reflected, and the before_drop event fired,
    as drop_all does before its one DROP per table."""
    children = partitions.names(connection)
    metadata = sa.MetaData()
    metadata.reflect(connection, only=[PARENT, *children])
    metadata.dispatch.before_drop(metadata, connection, tables=list(metadata.sorted_tables))
    return metadata, children


def test_the_index_and_its_partitions_drop_in_the_order_that_broke():
    factories.Dataset(name="dans-une-partition")
    engine = model.ensure_engine()
    with engine.connect() as connection:
        transaction = connection.begin()
        metadata, children = _about_to_drop(connection)
        assert len(children) == 2
        try:
            for name in [PARENT, *children]:
                connection.execute(sa.schema.DropTable(metadata.tables[name]))
            assert not sa.inspect(connection).has_table(PARENT)
        finally:
            transaction.rollback()
    with engine.connect() as connection:
        # Rolled back: the index and its document are as they were.
        assert partitions.names(connection) == children
        assert connection.execute(sa.text(
            f"SELECT count(*) FROM {PARENT} WHERE name = 'dans-une-partition'")).scalar() == 1


def test_without_the_listener_that_order_fails():
    """The listener is what makes the order above work (and the plugin loads it)."""
    from ckanext.quebec.search import plugin

    assert plugin.partitions is partitions
    assert sa.event.contains(sa.MetaData, "before_drop", partitions.detach_partitions)
    engine = model.ensure_engine()
    sa.event.remove(sa.MetaData, "before_drop", partitions.detach_partitions)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            metadata, children = _about_to_drop(connection)
            try:
                connection.execute(sa.schema.DropTable(metadata.tables[PARENT]))
                with pytest.raises(sa.exc.ProgrammingError, match="does not exist"):
                    connection.execute(sa.schema.DropTable(metadata.tables[children[0]]))
            finally:
                transaction.rollback()
    finally:
        sa.event.listen(sa.MetaData, "before_drop", partitions.detach_partitions)


def test_other_drops_leave_the_partitions_attached():
    engine = model.ensure_engine()
    with engine.connect() as connection:
        transaction = connection.begin()
        children = partitions.names(connection)
        try:
            metadata = sa.MetaData()
            metadata.reflect(connection, only=["quebec_search_counted_field"])
            metadata.drop_all(connection)
            assert partitions.names(connection) == children
        finally:
            transaction.rollback()
