"""Fixtures of the quebec_search tests: a database shared by read-only classes,
the validations of indexed datasets."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model, plugins
from ckan.common import config
from ckan.tests.helpers import _get_test_app

from ckanext.quebec import compat_ckan
from ckanext.quebec import config as suite_config
from ckanext.quebec.search import counted

from .helpers import installed

PLUGIN = "quebec_search"


@pytest.fixture(scope="class")
def shared_db(request, reset_db, migrate_db_for, request_app):
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
            # TRUNCATE, not DELETE: a posting-list build an earlier class left is
            # no longer current (migration 0017's trigger), nothing is listed.
            connection.execute(sa.text("TRUNCATE quebec_search_document"))
        with request_app.test_request_context():
            counted.apply_configuration()
        yield
    model.Session.remove()


@pytest.fixture(scope="session")
def request_app():
    """A CKAN app to make requests in (plugins declare their facets in a request)."""
    return _get_test_app().flask_app


@pytest.fixture(autouse=True)
def counted_fields(request):
    """An emptied index counts the configured facet fields, as after
    ``ckan quebec search count-fields`` (clean_db empties every table)."""
    if "clean_db" in request.fixturenames:
        request.getfixturevalue("clean_db")
        with request.getfixturevalue("request_app").test_request_context():
            counted.apply_configuration()


@pytest.fixture
def validations(monkeypatch) -> list[str]:
    """The dataset name of each validation made to index a dataset (in this process)."""
    calls = []
    validate = compat_ckan.plugin_validate

    def counted(plugin, context, data_dict, schema, action):
        calls.append(data_dict["name"])
        return validate(plugin, context, data_dict, schema, action)

    monkeypatch.setattr(compat_ckan, "plugin_validate", counted)
    return calls


@pytest.fixture
def no_kept_answers(monkeypatch):
    """Every search reads the index, none is answered from the answers a
    process keeps (result_cache.py): for tests of what a read does."""
    monkeypatch.setitem(config, suite_config.SEARCH_RESULT_CACHE_MB, 0)


@pytest.fixture
def refused_at_commit():
    """A deferred constraint trigger: PostgreSQL refuses, at COMMIT, the
    transaction that writes a dataset named ``refused-*`` or deletes one.

    It stands for a commit that never happens after the index was written
    (a process killed with SIGKILL, a lost connection): the index must
    follow the database, not keep the write or the removal alone.
    """
    statements = [
        """CREATE OR REPLACE FUNCTION quebec_test_refuse() RETURNS trigger
           LANGUAGE plpgsql AS $$ BEGIN
             IF NEW.name LIKE 'refused-%' OR NEW.state = 'deleted' THEN
               RAISE EXCEPTION 'refused at commit';
             END IF;
             RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER quebec_test_refuse AFTER INSERT OR UPDATE ON package
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION quebec_test_refuse()""",
    ]
    with installed(statements, ["DROP TRIGGER quebec_test_refuse ON package",
                                "DROP FUNCTION quebec_test_refuse()"]):
        yield
