"""Reading the index table directly, to check the backend from outside it."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from typing import Any, Callable, Iterator

import sqlalchemy as sa

from ckan import model


def index_documents() -> dict[str, dict[str, Any]]:
    """The index table as {dataset name: row}."""
    with model.ensure_engine().connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT name, id, fields, stored, search_text::text AS search_text,"
            " indexed_at FROM quebec_search_document")).mappings()
        return {row["name"]: dict(row) for row in rows}


def index_table_exists() -> bool:
    with model.ensure_engine().connect() as connection:
        return connection.execute(
            sa.text("SELECT to_regclass('quebec_search_document') IS NOT NULL")
        ).scalar_one()


# The start of a script run in another process, with CKAN loaded on the same
# database and quebec_search alone: the lines given run in a request, with
# ``tk`` and ``user`` (the site user) defined and the arguments in sys.argv[2:].
_OTHER_PROCESS = """
import sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
config = load_config(sys.argv[1])
config["ckan.plugins"] = "quebec_search"
app = make_app(config)
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
"""


def in_another_process(request, lines: list[str], *args: str) -> None:
    """Run ``lines`` (indented by the caller's 0) in another CKAN process."""
    model.Session.remove()
    script = _OTHER_PROCESS + "".join(f"    {line}\n" for line in lines)
    subprocess.run([sys.executable, "-c", script, request.config.getoption("ckan_ini"), *args],
                   check=True, env=os.environ, cwd=os.getcwd(), capture_output=True,
                   timeout=600)


@contextlib.contextmanager
def sent_statements(keep: Callable[[str], bool] = lambda statement: True
                    ) -> Iterator[list[str]]:
    """The SQL texts (parameters aside) CKAN's engine sends in the block, on any of
    its connections, that ``keep`` keeps."""
    seen: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if keep(statement):
            seen.append(statement)

    engine = model.ensure_engine()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@contextlib.contextmanager
def installed(statements: list[str], removals: list[str]) -> Iterator[None]:
    """``statements`` run (a test's triggers) until the block ends, then ``removals``."""
    with model.ensure_engine().begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    try:
        yield
    finally:
        model.Session.rollback()
        with model.ensure_engine().begin() as connection:
            for statement in removals:
                connection.execute(sa.text(statement))
