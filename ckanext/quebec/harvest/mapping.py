"""Harvested DCAT datasets into the Québec schema: the import's rules, applied in the harvester's hooks.

A dataset keeps its source's ``dct:identifier`` (the ``identifier`` extra, else
the harvester's guid) and gets the import's stable name from its organization
and identifier; the fields that belong to the portal are not taken from the
feed. ckanext-dcat's harvester matches datasets by the ``guid`` extra, kept.
A dataset whose harvested record has not changed since its last import is
left as it is (reported "not modified"), so a second harvest writes exactly
the datasets that changed. The values the portal's vocabularies do not know
(categories, frequencies, licences, territories) are reported as errors of the
harvest object (in no language: messages.py), whether the record is stored or not.
"""
from __future__ import annotations

import datetime
import json
from typing import Any, Iterator

from ckan import model
from ckan.model.types import make_uuid
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

from ckanext.quebec.dcat.profiles.base import UNMAPPED

from . import messages, reading
from .language import mark as _

# Set by the harvester for the dataset it writes, not taken from the feed.
_HARVESTER_FIELDS = ("id", "name", "owner_org")


def _map(harvest_object: HarvestObject, dataset: dict[str, Any]) -> str:
    """Put ``dataset`` in the portal's terms, in place; its identifier."""
    identifier = reading.identifier_of(dataset) or harvest_object.guid
    for key in reading.PORTAL_FIELDS:
        if key not in _HARVESTER_FIELDS:
            dataset.pop(key, None)
    dataset.pop("identifier", None)
    dataset["extras"] = [
        extra for extra in dataset.get("extras") or []
        if extra.get("key") not in ("identifier", "guid") and extra.get("key") not in dataset
    ] + [{"key": "identifier", "value": identifier}, {"key": "guid", "value": harvest_object.guid}]
    return identifier


_VOCABULARY_LABELS = {"categories": _("Category"), "update_frequencies": _("Update frequency"),
                      "licences": _("Licence"), "territories": _("Territory")}


def _report_unmapped(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
    """An error of the object for each value no vocabulary of the portal knows.

    Written on a connection of its own: a record the schema then refuses is
    rolled back by package_create, and its report must stay.
    """
    found = unmapped(dataset)
    if not found:
        return
    rows = [{"id": make_uuid(), "harvest_object_id": harvest_object.id, "stage": "Import",
             "created": datetime.datetime.utcnow(), "message": message} for message in found]
    with model.meta.engine.begin() as connection:
        connection.execute(HarvestObjectError.__table__.insert(), rows)


def unmapped(dataset: dict[str, Any]) -> list[str]:
    """The messages (neutral) of the values of ``dataset`` no vocabulary knows, taken out of it."""
    return [messages.neutral(
        _("{field}: “{value}” is not among the portal's values and was not imported"),
        field=_label(item["vocabulary"]), value=item["value"])
        for item in dataset.pop(UNMAPPED, None) or []]


def _label(vocabulary: str) -> dict[str, Any] | str:
    label = _VOCABULARY_LABELS.get(vocabulary)
    return messages.message(label) if label else vocabulary


def _organization_name(owner_org: str | None) -> str:
    organization = model.Group.get(owner_org) if owner_org else None
    return organization.name if organization else ""


class _NamedDatasets:
    """ckanext-dcat's parser, whose datasets come named as before_create names them.

    The gather stage then keeps that name instead of making one up from the
    title (ckanext-harvest's ``_gen_new_name``: a query per dataset, for a
    name the import replaces). A record without a title is left out with an
    error of the job (ckanext-dcat's gather would stop on it, keeping nothing).
    """

    def __init__(self, parser: Any, organization: str, harvest_job: HarvestJob) -> None:
        self._parser = parser
        self._organization = organization
        self._job = harvest_job

    def datasets(self) -> Iterator[dict[str, Any]]:
        for dataset in self._parser.datasets():
            identifier = reading.identifier_of(dataset)
            if not (dataset.get("title") or any((dataset.get("title_translated") or {}).values())):
                HarvestGatherError(job=self._job, message=messages.neutral(
                    _("{0}: no title; the record was not imported"),
                    identifier or dataset.get("uri") or "?")).save()
                continue
            if identifier and not dataset.get("name"):
                dataset["name"] = reading.dataset_name(self._organization, identifier)
            yield dataset

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


def after_parsing(parser: Any, harvest_job: HarvestJob) -> Any:
    source = model.Package.get(harvest_job.source.id)
    return _NamedDatasets(parser, _organization_name(source.owner_org if source else None),
                          harvest_job)


def before_create(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
    _report_unmapped(harvest_object, dataset)
    identifier = _map(harvest_object, dataset)
    dataset["name"] = reading.dataset_name(_organization_name(dataset.get("owner_org")), identifier)


def before_update(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
    _report_unmapped(harvest_object, dataset)
    if _unchanged(harvest_object):
        # ckanext-dcat's harvester skips an emptied dataset ("unchanged"),
        # without recording which dataset the object stands for.
        harvest_object.package_id = dataset["id"]
        harvest_object.add()
        dataset.clear()
        return
    _map(harvest_object, dataset)


def _record(harvest_object: HarvestObject) -> dict[str, Any] | None:
    """The harvested record, without the name the gather stage made up from the title."""
    try:
        record = json.loads(harvest_object.content or "")
    except ValueError:
        return None
    record.pop("name", None)
    return record


def _unchanged(harvest_object: HarvestObject) -> bool:
    previous = (model.Session.query(HarvestObject)
                .filter(HarvestObject.guid == harvest_object.guid)
                .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
                .filter(HarvestObject.id != harvest_object.id)
                .filter(HarvestObject.state == "COMPLETE")
                .filter(HarvestObject.import_finished.isnot(None))
                .order_by(HarvestObject.import_finished.desc())
                .first())
    return previous is not None and _record(previous) == _record(harvest_object)


def checked(harvest_object: HarvestObject) -> tuple[str | None, str | None, list[str]]:
    """What importing the gathered object would do, writing nothing (a dry run).

    :returns: the report's list it would go in (None: refused), the dataset's
        name, and the object's errors (neutral, or ckanext-dcat's own form)
    """
    import ckan.plugins.toolkit as tk

    from ckanext.quebec.compat_ckan import validate_dataset

    previous = (model.Session.query(HarvestObject)
                .filter(HarvestObject.guid == harvest_object.guid)
                .filter(HarvestObject.current == True)  # noqa: E712
                .first())
    existing = model.Package.get(previous.package_id) if previous and previous.package_id else None
    if object_extra(harvest_object, "status") == "delete":
        return "deleted", existing.name if existing else harvest_object.package_id, []
    dataset = json.loads(harvest_object.content)
    problems = unmapped(dataset)
    if existing is not None and existing.state == "active" and _unchanged(harvest_object):
        return "not_modified", existing.name, problems
    identifier = _map(harvest_object, dataset)
    if existing is not None:
        dataset.update(id=existing.id, name=existing.name)
    else:
        dataset["name"] = reading.dataset_name(_organization_name(dataset.get("owner_org")), identifier)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "model": model, "session": model.Session}
    _data, errors = validate_dataset(context, dataset, create=existing is None)
    if errors:
        # ckanext-dcat's words for a record the schema refuses (upstream.py says them again)
        verb = "Create" if existing is None else "Update"
        return None, dataset["name"], problems + [
            f"{verb} validation Error: {tk.ValidationError(errors).error_summary}"]
    return ("created" if existing is None else "updated"), dataset["name"], problems


def object_extra(harvest_object: HarvestObject, key: str) -> str | None:
    """The value of the object's extra ``key`` (``status`` is "delete" for a withdrawal), or None."""
    return next((extra.value for extra in harvest_object.extras if extra.key == key), None)
