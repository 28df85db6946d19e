"""``ckan quebec quality``: check datasets now, from the command line."""
from __future__ import annotations

import click


@click.group("quality")
def quality() -> None:
    """Quality of the datasets: metadata score, data validation, link checks."""


@quality.command("run")
@click.argument("datasets", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Check every active dataset.")
@click.option("--force", is_flag=True, help="Check again what did not change.")
@click.option("--background", is_flag=True, help="Enqueue jobs instead of checking here.")
def quality_run(datasets: tuple[str, ...], every: bool, force: bool, background: bool) -> None:
    """Check DATASETS (ids or names), or every dataset with --all."""
    import ckan.plugins.toolkit as tk

    from . import jobs, runner

    if not datasets and not every:
        raise click.UsageError("Name at least one dataset, or use --all.")
    if every:
        from ckan import model

        # private datasets too, which package_list leaves out
        datasets = tuple(name for (name,) in model.Session.query(model.Package.name)
                         .filter(model.Package.state == "active", model.Package.type == "dataset")
                         .order_by(model.Package.name))
    failed = 0
    for name in datasets:
        try:
            if background:
                job = jobs.enqueue(name, force=force)
                click.echo(f"{name}: queued ({job.id})")
                continue
            result = runner.run(name, force=force)
        except tk.ObjectNotFound:
            click.echo(f"{name}: no such dataset", err=True)
            failed += 1
            continue
        click.echo(f"{name}: {result['level']} {result['score']}/{result['max_score']}, "
                   f"validation {result['validation']['status']} ({result['validation']['errors']} errors)")
    if failed:
        raise click.exceptions.Exit(1)


@quality.command("show")
@click.argument("dataset")
def quality_show(dataset: str) -> None:
    """Print the recorded quality of DATASET: score per dimension and the checks that fail."""
    import ckan.plugins.toolkit as tk

    try:
        result = tk.get_action("quebec_quality_show")({"ignore_auth": True}, {"id": dataset})
    except tk.ObjectNotFound:
        raise click.ClickException(f"{dataset}: no such dataset")
    if result["score"] is None:
        click.echo(f"{dataset}: not assessed yet")
        return
    click.echo(f"{dataset}: {result['level']} {result['score']}/{result['max_score']}")
    for name, dimension in result["dimensions"].items():
        click.echo(f"  {name}: {dimension['score']}/{dimension['max']}")
    for check in result["checks"]:
        if not check["passed"]:
            click.echo(f"  - {check['name']} ({check['points']}/{check['max']}): {check['hint']['en']}")
