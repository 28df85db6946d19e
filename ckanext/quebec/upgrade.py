"""``ckan quebec upgrade``: what a portal needs before CKAN serves it, in one process.

CKAN's migrations, then those of the plugins named (in their order), then
those of any other enabled plugin, then quebec_search's facet counts, then
the web assets (every bundle built before the first page); for the demo
portal of ``scripts/portal serve``, its administrator account and the demo
catalogue too, and on Solr the index rebuilt. Each step is the command an
administrator would run (``ckan db upgrade``, ``ckan quebec search
count-fields``, ``ckan asset build``, ``ckan user add``, ``ckan sysadmin
add``, ``ckan quebec demo load``, ``ckan search-index rebuild``), invoked in
this process instead of loading CKAN and every plugin once per command.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterable, Iterator, Optional

import click

import ckan.plugins as p
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

# The demo portal's administrator; scripts/portal serve keeps its password.
ADMIN = "admin"
ADMIN_EMAIL = "admin@donnees-quebec.example"
ADMIN_FULLNAME = "Administrateur"


def run(ctx: click.Context, plugins: Iterable[str], admin_password_file: Optional[str],
        demo: bool, rebuild_index: bool = False) -> None:
    """Every step in order; the first that fails stops the others (see :func:`_step`)."""
    migrate(ctx, plugins)
    if p.plugin_loaded("quebec_search"):
        from ckanext.quebec.search import cli as search_cli
        _step(ctx, search_cli.count_fields, tk._("Counting the facet fields failed: {0}"))
        _step(ctx, search_cli.build_postings, tk._("Building the posting lists failed: {0}"),
              if_none=True)
    build_assets(ctx)
    if admin_password_file:
        ensure_admin(ctx, admin_password_file)
    if demo:
        from ckanext.quebec import cli as suite_cli
        _step(ctx, suite_cli.demo_load, tk._("Loading the demo catalogue failed: {0}"))
    if rebuild_index:
        # It says what failed and exits (CKAN's command) rather than raising.
        from ckan.cli import search_index
        _step(ctx, search_index.rebuild, tk._("Rebuilding the search index failed: {0}"))


def migrate(ctx: click.Context, plugins: Iterable[str]) -> None:
    """CKAN core's migrations, then each of ``plugins`` CKAN loads, then any other plugin it loads.

    CKAN refuses to migrate a plugin its configuration does not load: one of
    ``plugins`` that is not enabled is skipped.
    """
    from ckan.cli import db

    _step(ctx, db.upgrade, tk._("CKAN's migrations failed: {0}"), skip_plugins=True)
    for plugin in plugins:
        if p.plugin_loaded(plugin):
            _step(ctx, db.upgrade, tk._("The migrations of {0} failed: {1}"), plugin,
                  plugin=plugin)
    _step(ctx, db.upgrade, tk._("The migrations of the other enabled plugins failed: {0}"),
          skip_core=True)


def build_assets(ctx: click.Context) -> None:
    """Every web asset bundle built now, before CKAN serves a page (``ckan asset build``).

    Otherwise webassets builds a bundle at the first page that names it, and
    processes or threads building the same bundle at once fail that page
    with a 500 ("Cannot find version of <Bundle ...>": the bundle's version
    is read while another process rewrites it). The load test met it on the
    portal's first pages.
    """
    from ckan.cli import asset

    _step(ctx, asset.build, tk._("Building the web assets failed: {0}"))


def ensure_admin(ctx: click.Context, password_file: str) -> None:
    """The sysadmin :data:`ADMIN`, created with the password in ``password_file`` if missing.

    An existing account keeps its password and details.
    """
    from ckan import model
    from ckan.cli import sysadmin, user

    if model.User.by_name(ADMIN) is None:
        with open(password_file, encoding="utf-8") as f:
            password = f.read().strip()
        click.echo(tk._("Creating the administrator account {0}").format(ADMIN))
        _step(ctx, user.add_user, tk._("Creating the administrator account failed: {0}"),
              username=ADMIN, args=(f"email={ADMIN_EMAIL}", f"password={password}",
                                    f"fullname={ADMIN_FULLNAME}"))
    _step(ctx, sysadmin.add, tk._("Making {0} a sysadmin failed: {1}"), ADMIN,
          username=ADMIN, args=())


def _step(ctx: click.Context, command: click.Command, failure: str, *names: str,
          **params: Any) -> None:
    """Invoke ``command`` with ``params`` (its other options at their defaults) in this process.

    When it fails, its traceback is logged (unless it aborted, having said
    why) and the command stops with ``failure``, formatted with ``names`` and
    the error.
    """
    try:
        with _logging_kept():
            ctx.invoke(command, **params)
    except Exception as error:  # each step's own errors: migrations, validation, I/O
        if not isinstance(error, click.Abort):
            log.exception("ckan quebec upgrade: %s failed", command.name)
        raise click.ClickException(failure.format(*names, str(error) or type(error).__name__)) \
            from error


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    """The logging CKAN's configuration set up, as it was before the block, after it.

    The Alembic environment of plugins' migrations (activity's, harvest's,
    the suite's) configures logging from their alembic.ini: it replaces the
    handlers and disables every logger that exists then, so that a failure and
    the steps after the migrations (the demo load) would log nothing.
    """
    loggers = [logging.root] + [logger for logger in logging.root.manager.loggerDict.values()
                                if isinstance(logger, logging.Logger)]
    saved = [(logger, logger.level, list(logger.handlers), logger.propagate, logger.disabled)
             for logger in loggers]
    try:
        yield
    finally:
        for logger, level, handlers, propagate, disabled in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate, logger.disabled = propagate, disabled
