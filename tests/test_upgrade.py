"""``ckan quebec upgrade``: the migrations, the facet counts and the administrator, in one process.

The demo catalogue it loads with ``--demo`` is tested through
``scripts/portal serve`` (tests/test_portal_serve.py).
"""
from __future__ import annotations

import logging
import os
import time

import pytest

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import webassets_tools

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


def _upgrade(cli, *args: str):
    return cli.invoke(ckan, ["quebec", "upgrade", *args])


def test_upgrade_migrates_counts_and_makes_the_admin_once(cli, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("first-password-1\n")
    # quebec_quality is not enabled: CKAN would refuse to migrate it; it is skipped.
    args = ["-p", "quebec_search", "-p", "quebec_quality", "--admin-password-file", str(password_file)]

    started = time.time()
    first = _upgrade(cli, *args)

    assert first.exit_code == 0, first.output
    assert first.output.count("Upgrading DB: SUCCESS") == 3  # CKAN, quebec_search, the others
    assert "Counted from now on: none" not in first.output
    assert "Posting lists built (build " in first.output  # none was there
    # Every web asset bundle built (again) before CKAN serves a page, under the
    # version webassets will look up: a bundle built at a first page fails it under load.
    assert "Compile assets: SUCCESS" in first.output
    bundles = webassets_tools.env._named_bundles
    assert {"base/main", "css/main"} <= set(bundles), sorted(bundles)
    for name, bundle in bundles.items():
        output = bundle.resolve_output()
        assert os.path.getmtime(output) >= started - 1, (name, output)
    admin = model.User.by_name("admin")
    assert admin.sysadmin and admin.email == "admin@donnees-quebec.example"
    assert admin.validate_password("first-password-1")

    # Again: the account is kept as it is, nothing is left to count.
    password_file.write_text("second-password-2\n")
    again = _upgrade(cli, *args)

    assert again.exit_code == 0, again.output
    assert "Counted from now on: none" in again.output
    assert "The posting lists are already built." in again.output
    model.Session.remove()
    kept = model.User.by_name("admin")
    assert kept.id == admin.id and kept.sysadmin
    assert kept.validate_password("first-password-1")


def test_a_failing_step_stops_the_upgrade_and_says_which(cli, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("short\n")  # CKAN wants 8 characters at least

    result = _upgrade(cli, "--admin-password-file", str(password_file), "--demo")

    assert result.exit_code == 1
    assert "Creating the administrator account failed" in result.output
    assert model.User.by_name("admin") is None
    assert "Demo catalogue loaded" not in result.output  # the steps after it did not run


@pytest.mark.ckan_config("ckan.plugins", "quebec_search activity")
def test_the_migrations_leave_the_logging_as_ckan_configured_it(cli, tmp_path):
    """activity's migrations configure logging from their alembic.ini, disabling every logger."""
    password_file = tmp_path / "password"
    password_file.write_text("first-password-1\n")
    # A logger of the suite that exists before the command, as its modules' do.
    probe = logging.getLogger("ckanext.quebec.test_upgrade_probe")

    result = _upgrade(cli, "-p", "activity", "--admin-password-file", str(password_file))

    assert result.exit_code == 0, result.output
    assert not probe.disabled
