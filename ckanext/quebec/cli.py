"""The ``ckan quebec`` command group, shared by every plugin of the suite.

``ckan quebec demo`` and ``ckan quebec upgrade`` are the suite's own; each
concern adds its group through :func:`get_commands` (see there).
"""
from __future__ import annotations

import click


@click.group(short_help="ckanext-quebec commands")
def quebec() -> None:
    """Commands of the ckanext-quebec suite."""


@quebec.group()
def demo() -> None:
    """The demo catalogue of the portal."""


@demo.command("load")
def demo_load() -> None:
    """Load the demo catalogue; what already exists is kept as it is."""
    from ckanext.quebec.demo import loader

    report = loader.load()
    for line in report.lines():
        click.echo(line)


@quebec.command("upgrade")
@click.option("-p", "--plugin", "plugins", multiple=True,
              help="Migrate this plugin right after CKAN (several: in their order), if enabled.")
@click.option("--admin-password-file", type=click.Path(exists=True, dir_okay=False),
              help="Make sure the sysadmin 'admin' exists; created with this file's password.")
@click.option("--demo", is_flag=True, help="Then load the demo catalogue (as `demo load`).")
@click.option("--rebuild-index", is_flag=True,
              help="Then rebuild the search index (as `ckan search-index rebuild`).")
@click.pass_context
def upgrade(ctx: click.Context, plugins: tuple[str, ...], admin_password_file: str | None,
            demo: bool, rebuild_index: bool) -> None:
    """Migrate CKAN and every enabled plugin, count the search index's facet fields, build the web assets.

    What `ckan db upgrade`, `ckan quebec search count-fields` and `ckan asset
    build` do, in one process. `scripts/portal serve` adds its administrator and demo catalogue.
    """
    from ckanext.quebec import upgrade as steps

    steps.run(ctx, plugins, admin_password_file, demo, rebuild_index)


def get_commands(*groups: click.Group) -> list[click.Command]:
    """The ``ckan quebec`` group, with each concern's command group in ``groups`` added to it.

    Every plugin's IClick hook answers ``cli.get_commands(<its group>)``
    (``cli.get_commands()`` when it has no commands of its own): a concern
    keeps its commands in its own ``cli.py``, as one click group named after
    it, and they appear as ``ckan quebec <concern> ...`` when its plugin is
    enabled. Adding a group again replaces it by itself.
    """
    for group in groups:
        quebec.add_command(group)
    return [quebec]
