"""The ``ckan quebec dcat`` commands: export the whole catalogue, import a partner's feed."""
from __future__ import annotations

import os
import sys
import tempfile

import click


@click.group()
def dcat() -> None:
    """DCAT-AP 3 feeds of the catalogue."""


@dcat.command("export")
@click.argument("output", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--format", "rdf_format", default="ttl", show_default=True,
              type=click.Choice(["ttl", "nt", "rdf", "xml", "jsonld"]))
@click.option("--page-size", default=100, show_default=True, type=click.IntRange(1, 1000),
              help="Datasets read and serialized at a time.")
@click.option("--modified-since", help="Only datasets modified since this ISO 8601 date.")
def export(output: str, rdf_format: str, page_size: int, modified_since: str | None) -> None:
    """Write the public catalogue to OUTPUT ("-" for standard output), page by page.

    The file appears only once complete: it is written beside OUTPUT under a
    temporary name, then renamed.
    """
    import ckan.plugins.toolkit as tk

    from . import feed

    def progress(count: int) -> None:
        click.echo(f"{count} datasets", err=True)

    try:
        if output == "-":
            count = feed.export(sys.stdout.buffer, rdf_format, page_size=page_size,
                                modified_since=modified_since)
        else:
            directory = os.path.dirname(os.path.abspath(output))
            handle, partial = tempfile.mkstemp(prefix=".export-", dir=directory)
            try:
                with os.fdopen(handle, "wb") as stream:
                    count = feed.export(stream, rdf_format, page_size=page_size,
                                        modified_since=modified_since, progress=progress)
                os.replace(partial, output)
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
    except tk.ValidationError as error:
        raise click.ClickException("; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.error_dict.items()))
    click.echo(f"{count} datasets written", err=True)


@dcat.command("import")
@click.argument("source")
@click.option("--organization", required=True, help="The organization (name) the datasets go to.")
@click.option("--dry-run", is_flag=True,
              help="Read the feed and validate every record; write nothing.")
def import_(source: str, organization: str, dry_run: bool) -> None:
    """Harvest the DCAT feed SOURCE (an http(s) URL or a file) into the organization, now.

    One job of the organization's DCAT harvest source for SOURCE (registered on
    the first import): datasets created, updated, or withdrawn when gone from
    the feed. Needs the harvest, dcat_rdf_harvester and quebec_harvest plugins.
    """
    from urllib.parse import urlparse

    import ckan.plugins.toolkit as tk

    from ckanext.quebec.harvest import imports

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    try:
        if urlparse(source).scheme in ("http", "https"):
            url, given = source, None
        elif "://" in source:
            raise click.ClickException(
                tk._("Only http and https URLs can be imported: {0}").format(source))
        else:
            path = os.path.abspath(source)
            url, given = imports.document_url(organization, path), imports.read_file(path)
        report = imports.run(url, organization, user=site_user, dry_run=dry_run, given=given)
    except imports.NotRead as error:
        raise click.ClickException("; ".join(error.messages))
    except tk.ObjectNotFound:
        raise click.ClickException(tk._("No such organization: {0}").format(organization))
    except tk.ValidationError as error:
        raise click.ClickException("; ".join(
            " ".join(messages) for messages in error.error_dict.values()))
    for line in imports.lines(report):
        click.echo(line)
    if report["errors"]:
        raise click.exceptions.Exit(1)
