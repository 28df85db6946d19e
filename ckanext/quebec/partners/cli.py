"""``ckan quebec partners``: load the partners from a CSV file."""
from __future__ import annotations

import click


@click.group("partners")
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
