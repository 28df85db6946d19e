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
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError

from ckanext.quebec.dcat import importer
from ckanext.quebec.dcat.profiles.base import UNMAPPED

from . import messages
from .language import mark as _

# Set by the harvester for the dataset it writes, not taken from the feed.
_HARVESTER_FIELDS = ("id", "name", "owner_org")


def _map(harvest_object: HarvestObject, dataset: dict[str, Any]) -> str:
    """Put ``dataset`` in the portal's terms, in place; its identifier."""
    identifier = importer.identifier_of(dataset) or harvest_object.guid
    for key in importer.PORTAL_FIELDS:
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
    unmapped = dataset.pop(UNMAPPED, None)
    if not unmapped:
        return
    rows = [{"id": make_uuid(), "harvest_object_id": harvest_object.id, "stage": "Import",
             "created": datetime.datetime.utcnow(),
             "message": messages.neutral(
                 _("{field}: “{value}” is not among the portal's values and was not imported"),
                 field=_label(item["vocabulary"]), value=item["value"])}
            for item in unmapped]
    with model.meta.engine.begin() as connection:
        connection.execute(HarvestObjectError.__table__.insert(), rows)


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
    name the import replaces).
    """

    def __init__(self, parser: Any, organization: str) -> None:
        self._parser = parser
        self._organization = organization

    def datasets(self) -> Iterator[dict[str, Any]]:
        for dataset in self._parser.datasets():
            identifier = importer.identifier_of(dataset)
            if identifier and not dataset.get("name"):
                dataset["name"] = importer.dataset_name(self._organization, identifier)
            yield dataset

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


def after_parsing(parser: Any, harvest_job: HarvestJob) -> Any:
    source = model.Package.get(harvest_job.source.id)
    return _NamedDatasets(parser, _organization_name(source.owner_org if source else None))


def before_create(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
    _report_unmapped(harvest_object, dataset)
    identifier = _map(harvest_object, dataset)
    dataset["name"] = importer.dataset_name(_organization_name(dataset.get("owner_org")), identifier)


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
