"""ckanext-harvest's own commands, in processes of their own, on the portal's database and index.

A source created by `ckan harvester source create` must show its type and
status to the next command: `ckan harvester run-test` reads it back through
package_show, which answers from the index, and the index holds what the last
reindexing wrote (after each finished job, ckanext-harvest's
``harvest_source_reindex``).
"""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from ckan.tests import factories, helpers
from ckanext.harvest import queue

from tests.dcat.test_import import server  # noqa: F401  (the local HTTP server fixture)

from . import LOGGING_SECTIONS
from .test_inbound import FEED, PLUGINS, _feed, _partner_datasets

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
]

INI = """[app:main]
use = config:{test_ini}
ckan.plugins = {plugins}
ckanext.quebec.dcat.import_allow_private_addresses = true

# CKAN 2.11 reads the logging set-up from the file it is given
""" + LOGGING_SECTIONS


@pytest.fixture
def ckan(tmp_path, ckan_config):
    """Runs `ckan` with the test's configuration, plugins and database (CKAN_* from the environment)."""
    ini = tmp_path / "harvest.ini"
    test_ini = pathlib.Path(ckan_config["__file__"]).resolve()
    ini.write_text(INI.format(test_ini=test_ini, plugins=PLUGINS))
    command = pathlib.Path(sys.executable).with_name("ckan")

    def run(*args: str) -> str:
        done = subprocess.run([str(command), "-c", str(ini), *args], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done.stdout
    yield run
    # run-test queues each job for the gather consumer as well, then runs it itself
    queue.purge_queues()


def test_a_source_created_by_the_command_line_is_harvested_twice(ckan, server):
    organization = factories.Organization()
    server.routes[FEED] = (_feed(_partner_datasets(organization["id"])[:1]), "text/turtle")

    created = ckan("harvester", "source", "create", "flux-cli", server.base + FEED, "dcat_rdf",
                   "Flux", "true", organization["name"], "MANUAL")
    ckan("harvester", "run-test", "flux-cli")
    # the first job's end reindexed the source
    ckan("harvester", "run-test", "flux-cli")

    assert "type: dcat_rdf" in created and "jobs: 0" in created, created
    shown = helpers.call_action("harvest_source_show", id="flux-cli")
    assert shown["source_type"] == "dcat_rdf", shown
    assert shown["status"]["job_count"] == 2
    stats = shown["status"]["last_job"]["stats"]
    assert (stats["not modified"], stats["errored"]) == (1, 0), stats
    assert helpers.call_action("package_search", fq=f"owner_org:{organization['id']}")["count"] == 1
