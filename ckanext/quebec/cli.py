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


@quebec.group()
def partners() -> None:
    """The partners (organizations) of the Partenariat Données Québec."""


@partners.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; write nothing.")
def partners_load(path: str, dry_run: bool) -> None:
    """Create or update partners from the CSV file PATH (UTF-8, one partner a row)."""
    from ckanext.quebec.partners import loader

    try:
        report = loader.load(path, dry_run=dry_run)
    except loader.FileRefused as error:
        raise click.ClickException(str(error))
    for line in report.lines():
        click.echo(line)
    if report.rejected:
        raise click.exceptions.Exit(1)


# The DCAT commands live with their plugin.
from ckanext.quebec.dcat.cli import dcat as _dcat  # noqa: E402

quebec.add_command(_dcat)


def get_commands() -> list[click.Command]:
    return [quebec]
