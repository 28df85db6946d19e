"""Fixtures of the quebec_search tests: a database shared by read-only classes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model, plugins
from ckan.common import config

PLUGIN = "quebec_search"


@pytest.fixture(scope="class")
def shared_db(request, reset_db, migrate_db_for):
    """A clean database and index for a class whose tests only read them.

    clean_db empties the database, and with_plugins reloads the plugins,
    before each test; a class of read-only tests builds its catalogue once on
    top of this instead, which keeps the suite fast while each class still
    starts from nothing. The plugins are those of the class's ``ckan_config``
    marks, loaded once for the class.
    """
    with pytest.MonkeyPatch.context() as patch:
        for mark in request.node.iter_markers("ckan_config"):
            patch.setitem(config, *mark.args)
        plugins.load_all()
        reset_db()
        migrate_db_for(PLUGIN)
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_document"))
        yield
    model.Session.remove()


