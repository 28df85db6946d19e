"""The suite's DCAT import (`ckan quebec dcat import`, quebec_dcat_import): one job of ckanext-harvest's
``dcat_rdf`` harvester, run in the caller's process.

The import finds the organization's DCAT harvest source for the URL (or
registers one, on demand: frequency MANUAL), creates a job and runs its
gather, fetch and import stages one after the other, as ckanext-harvest's
``run-test`` does, without the queues: the same harvester, guards (guards.py)
and mapping (mapping.py) as a scheduled harvest, so the datasets are created,
updated and withdrawn as the source says, and the answer is the job's report
(each object's status and errors, in the reader's language). A document given
in the call (the API's ``data``, the command line's file) is read under a URL
of its own that never leaves the process (``document_url``).

A dry run gathers (downloads, checks and parses every page), then validates
each record as the import would, and removes its job; a source it had to
register goes too. A feed that cannot be read at all is ``NotRead``.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
from typing import Any
from urllib.parse import quote

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest import queue
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource

from ckanext.quebec.dcat import config

from . import guards, mapping, messages, reading
from .language import mark as _

SOURCE_TYPE = "dcat_rdf"
MEDIA_TYPES = {"turtle": "text/turtle", "xml": "application/rdf+xml", "json-ld": "application/ld+json"}
# ckanext-harvest's report status of an object: the report's list it goes in.
_STATUSES = {"added": "created", "updated": "updated", "not modified": "not_modified",
             "deleted": "deleted"}


class NotRead(Exception):
    """The feed was not read at all (nothing imported); ``messages`` say why, in the reader's language."""

    def __init__(self, found: list[str]) -> None:
        self.messages = found
        super().__init__("; ".join(found))


def document_url(organization: str, key: str) -> str:
    """The URL a document given in the call is read under (``.invalid``: never resolved)."""
    return f"https://documents.invalid/{quote(organization, safe='')}/{quote(key, safe='')}"


def document(body: bytes, rdf_format: str = "") -> tuple[bytes, str]:
    """A given document and its media type, refused over the import's size cap."""
    if len(body) > config.import_max_bytes():
        raise NotRead([_refused(_("The feed is larger than {0} bytes"), config.import_max_bytes())])
    return body, MEDIA_TYPES[reading.guess_format(body, rdf_format)]


def read_file(path: str) -> tuple[bytes, str]:
    """A local file (the command line only), as a given document."""
    try:
        if os.path.getsize(path) > config.import_max_bytes():
            raise NotRead([_refused(_("The feed is larger than {0} bytes"), config.import_max_bytes())])
        with open(path, "rb") as stream:
            return document(stream.read(), os.path.splitext(path)[1].lstrip("."))
    except OSError as error:
        raise NotRead([_refused(_("The file could not be read: {0}"), error.strerror)])


def _refused(msgid: str, *args: Any) -> str:
    return messages.render(messages.neutral(msgid, *args))


def run(url: str, organization: str, *, user: str, dry_run: bool = False,
        given: tuple[bytes, str] | None = None) -> dict[str, Any]:
    """Harvest ``url`` (or the ``given`` document read under it) into ``organization``; its report.

    :raises ckan.plugins.toolkit.ObjectNotFound: no such organization
    :raises ckan.plugins.toolkit.ValidationError: the URL is another source's, or a job of
        the source is under way
    :raises NotRead: the feed could not be read (the job is kept, with its errors, on a
        source that existed before; a source registered by this call goes)
    """
    harvester = queue.get_harvester(SOURCE_TYPE)
    if harvester is None or not p.plugin_loaded("quebec_harvest"):  # no guards without it
        raise tk.ValidationError({"url": [tk._(
            "The DCAT import runs on ckanext-harvest: enable the harvest, dcat_rdf_harvester and "
            "quebec_harvest plugins")]})
    org = tk.get_action("organization_show")(
        {"user": user}, {"id": organization, "include_datasets": False, "include_users": False})
    with guards.given(url, *given) if given else contextlib.nullcontext():
        source_id, registered = _source(url, org, user)
        job, discarded = _job(source_id, user), False
        try:
            object_ids = _gather(harvester, job)
            not_read = None if object_ids else _gather_errors(job.id)
            if dry_run:
                found = _plan(job, object_ids)
                _discard(job, source_id if registered else None)
                discarded = True
            else:
                for object_id in object_ids:
                    queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        finally:
            if not discarded:
                _finish(job)
    if not_read:
        if registered and not discarded:  # a source that never read its feed is not kept
            _discard(job, source_id)
        raise NotRead(not_read)
    return found if dry_run else report(job.id)


def _source(url: str, org: dict[str, Any], user: str) -> tuple[str, bool]:
    """The organization's DCAT source of ``url``, else a new one; and whether it is new.

    A URL another source reads (of another organization, type, or inactive) is
    refused: ckanext-dcat finds a harvested dataset by its guid wherever it
    is, so a second source would move the first one's datasets.
    """
    for source in model.Session.query(HarvestSource).filter_by(url=url):
        package = model.Package.get(source.id)
        if package is None or package.state != "active":
            continue
        if source.type == SOURCE_TYPE and source.active and package.owner_org == org["id"]:
            return source.id, False
        raise tk.ValidationError({"url": [tk._(
            "This URL is already harvested by another source (of another organization, or "
            "inactive): import it there")]})
    digest = hashlib.sha1(f"{org['id']}\n{url}".encode()).hexdigest()[:12]
    created = tk.get_action("harvest_source_create")({"user": user}, {
        "name": f"import-{org['name'][:60]}-{digest}", "title": url, "url": url,
        "source_type": SOURCE_TYPE, "owner_org": org["id"], "frequency": "MANUAL"})
    return created["id"], True


def _job(source_id: str, user: str) -> HarvestJob:
    try:
        created = tk.get_action("harvest_job_create")({"user": user},
                                                      {"source_id": source_id, "run": False})
    except HarvestJobExists:
        raise tk.ValidationError({"url": [tk._(
            "A harvest of this source is already under way: try again once it has finished")]})
    job = HarvestJob.get(created["id"])
    job.status = "Running"
    job.save()
    return job


def _gather(harvester: Any, job: HarvestJob) -> list[str]:
    """The gathered objects' ids; a gather stopped on a page keeps none of its earlier pages' objects."""
    object_ids = queue.gather_stage(harvester, job)
    object_ids = object_ids if isinstance(object_ids, list) else []
    for obj in HarvestObject.filter(harvest_job_id=job.id):
        if obj.id not in object_ids:
            model.Session.delete(obj)
    model.Session.commit()
    return object_ids


def _gather_errors(job_id: str) -> list[str]:
    return [messages.render(error.message) for error in
            HarvestGatherError.filter(harvest_job_id=job_id).order_by(HarvestGatherError.created)]


def _errors(identifier: str | None, found: list[str]) -> list[dict[str, Any]]:
    """Report entries: a record's errors (its guid), or the feed's (None)."""
    return [{"identifier": identifier, "message": message} for message in found]


def _finish(job: HarvestJob) -> None:
    """The job marked finished as the scheduler would, or at once if its stages stopped on an error."""
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": job.source_id})
    model.Session.refresh(job)
    if job.status != "Finished":
        job.status, job.finished = "Finished", datetime.datetime.utcnow()
        job.save()


def _empty(source_id: str, job_id: str | None, dry_run: bool) -> dict[str, Any]:
    return {"source": source_id, "job": job_id, "dry_run": dry_run, "created": [], "updated": [],
            "not_modified": [], "deleted": [], "errors": []}


def _name(package_id: str | None) -> str | None:
    package = model.Package.get(package_id) if package_id else None
    return package.name if package else package_id


def report(job_id: str) -> dict[str, Any]:
    """The job's datasets by what happened to them, and its errors (``identifier`` None: the feed's)."""
    job = HarvestJob.get(job_id)
    found = _empty(job.source_id, job_id, False)
    for obj in HarvestObject.filter(harvest_job_id=job_id).order_by(HarvestObject.gathered):
        if obj.report_status in _STATUSES:
            found[_STATUSES[obj.report_status]].append(_name(obj.package_id))
        found["errors"] += _errors(obj.guid, [messages.render(error.message) for error in obj.errors])
    found["errors"] += _errors(None, _gather_errors(job_id))
    return found


def _plan(job: HarvestJob, object_ids: list[str]) -> dict[str, Any]:
    """What importing the gathered objects would do (mapping.checked), writing nothing."""
    found = _empty(job.source_id, None, True)
    for object_id in object_ids:
        obj = HarvestObject.get(object_id)
        status, name, problems = mapping.checked(obj)
        if status:
            found[status].append(name)
        found["errors"] += _errors(obj.guid, [messages.render(problem) for problem in problems])
    found["errors"] += _errors(None, _gather_errors(job.id))
    return found


def _discard(job: HarvestJob, source_id: str | None) -> None:
    """The dry run's job gone, with its objects and errors; and the source it registered."""
    for obj in HarvestObject.filter(harvest_job_id=job.id):
        model.Session.delete(obj)
    for error in HarvestGatherError.filter(harvest_job_id=job.id):
        model.Session.delete(error)
    model.Session.delete(job)
    if source_id:
        model.Session.delete(HarvestSource.get(source_id))
    model.Session.commit()
    if source_id:
        tk.get_action("dataset_purge")({"ignore_auth": True}, {"id": source_id})


def lines(found: dict[str, Any]) -> list[str]:
    """The report as lines of text, in the reader's language (the command line's)."""
    gettext = messages.reader_gettext()
    labels = {"created": _("created"), "updated": _("updated"), "deleted": _("deleted")}
    text = [f"{gettext(label)}: {name}" for key, label in labels.items() for name in found[key]]
    text += [f"{gettext(_('error'))}: {error['identifier']}: {error['message']}"
             if error["identifier"] else f"{gettext(_('error'))}: {error['message']}"
             for error in found["errors"]]
    summary = gettext(_("{created} created, {updated} updated, {not_modified} not modified, "
                        "{deleted} deleted, {errors} error(s)")).format(
        **{key: len(found[key]) for key in ("created", "updated", "not_modified", "deleted",
                                            "errors")})
    if found["dry_run"]:
        summary += " " + gettext(_("(dry run, nothing written)"))
    text.append(summary)
    return text
