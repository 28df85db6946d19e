"""One ``ckan quebec`` group: each concern adds its command group the same way, through cli.get_commands."""
from __future__ import annotations

import click
import pytest

from ckan.cli.cli import ckan

from ckanext.quebec import cli as suite_cli
from ckanext.quebec.dcat import cli as dcat_cli
from ckanext.quebec.dcat.plugin import QuebecDcatPlugin
from ckanext.quebec.partners import cli as partners_cli
from ckanext.quebec.partners.plugin import QuebecPartnersPlugin
from ckanext.quebec.quality import cli as quality_cli
from ckanext.quebec.quality.plugin import QuebecQualityPlugin
from ckanext.quebec.search import cli as search_cli
from ckanext.quebec.search.plugin import QuebecSearchPlugin

# Every command with its options, as scripts/ and tests/ call them.
COMMANDS = {
    "demo load": set(),
    "partners load": {"--dry-run"},
    "quality run": {"--all", "--force", "--background"},
    "quality show": set(),
    "dcat export": None,
    "dcat import": None,
    "search check": None,
    "search count-fields": None,
}


@pytest.mark.parametrize("plugin, group", [
    (QuebecSearchPlugin, search_cli.search),
    (QuebecQualityPlugin, quality_cli.quality),
    (QuebecPartnersPlugin, partners_cli.partners),
    (QuebecDcatPlugin, dcat_cli.dcat),
])
def test_each_plugin_adds_its_group_to_the_one_quebec_group(plugin, group):
    suite_cli.quebec.commands.pop(group.name, None)
    assert plugin().get_commands() == [suite_cli.quebec]
    assert suite_cli.quebec.commands[group.name] is group
    assert plugin().get_commands() == [suite_cli.quebec]  # again: the same, once


def _options(command: click.Command) -> set[str]:
    return {name for param in command.params if isinstance(param, click.Option) for name in param.opts}


def test_every_command_keeps_its_name_and_options():
    suite_cli.get_commands(search_cli.search, quality_cli.quality, partners_cli.partners, dcat_cli.dcat)
    for path, options in COMMANDS.items():
        group_name, name = path.split()
        command = suite_cli.quebec.commands[group_name].commands[name]
        if options is not None:
            assert _options(command) == options, path
    assert set(suite_cli.quebec.commands) == {"demo", "upgrade", "partners", "quality", "dcat",
                                              "search"}
    assert _options(suite_cli.quebec.commands["upgrade"]) == {
        "-p", "--plugin", "--admin-password-file", "--demo", "--rebuild-index"}


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema quebec_quality")
def test_ckan_quebec_lists_the_enabled_concerns(cli):
    result = cli.invoke(ckan, ["quebec", "quality", "--help"])
    assert result.exit_code == 0, result.output
    assert "run" in result.output and "show" in result.output
