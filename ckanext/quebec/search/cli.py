"""``ckan quebec search``: commands of the PostgreSQL search index."""
from __future__ import annotations

import click

_SHOWN = 20  # ids listed per kind of drift


@click.group("search")
def search() -> None:
    """The search index kept in PostgreSQL (quebec_search)."""


@search.command("check")
def check() -> None:
    """Report datasets missing from, stale in or extra in the search index.

    Exits with status 1 when the index and the database disagree; `ckan
    search-index rebuild` repairs it.
    """
    from .check import find_drift
    from .counted import uncounted_configured_fields

    waiting = uncounted_configured_fields()
    if waiting:
        # Not a drift: their facets are right, counted from the matching datasets.
        click.echo(f"Facet fields configured but not counted yet: {', '.join(waiting)};"
                   " `ckan quebec search count-fields` counts them.")
    drift = find_drift()
    for label, ids in (("missing from the index", drift.missing),
                       ("stale in the index", drift.stale),
                       ("in the index but not in the database", drift.extra)):
        click.echo(f"{len(ids)} dataset(s) {label}")
        for dataset_id in ids[:_SHOWN]:
            click.echo(f"  {dataset_id}")
        if len(ids) > _SHOWN:
            click.echo(f"  ... and {len(ids) - _SHOWN} more")
    if drift:
        click.echo("Run `ckan search-index rebuild` to repair the index.", err=True)
        raise click.exceptions.Exit(1)
    click.echo("The search index agrees with the database.")


@search.command("count-fields")
def count_fields() -> None:
    """Have the index count the facet fields of ckanext.quebec.search.counted_fields.

    Fields newly configured are counted in every document (writers wait
    meanwhile: about 75 s per field at 100,000 datasets); fields no longer
    configured are forgotten. `ckan search-index rebuild` does the same.
    """
    from .counted import apply_configuration

    change = apply_configuration()
    click.echo(f"Counted from now on: {', '.join(change.counted) or 'none'}")
    click.echo(f"No longer counted: {', '.join(change.forgotten) or 'none'}")


@search.command("build-postings")
@click.option("--if-none", is_flag=True, help="Only when there is no current build.")
def build_postings(if_none: bool) -> None:
    """Build the posting lists that searches of plain words read.

    The index is read in one snapshot (about a minute at 100,000 datasets);
    searches read the new build as soon as it is done, and the documents
    written since through the statement. `ckan search-index rebuild` builds
    them too.
    """
    from ckanext.quebec import config as suite_config

    from . import postings_build

    if not suite_config.search_posting_lists():
        click.echo(f"Posting lists are off ({suite_config.SEARCH_POSTING_LISTS}).")
        return
    build_id = postings_build.build_if_none() if if_none else postings_build.build()
    if build_id is None:
        click.echo("The posting lists are already built.")
    else:
        click.echo(f"Posting lists built (build {build_id}).")
