"""The ``ckan quebec`` command group, shared by every plugin of the suite."""
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


def get_commands() -> list[click.Command]:
    return [quebec]
