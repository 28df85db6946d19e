"""Harvested DCAT datasets into the Québec schema: the import's rules, applied in the harvester's hooks.

A dataset keeps its source's ``dct:identifier`` (the ``identifier`` extra, else
the harvester's guid) and gets the import's stable name from its organization
and identifier; the fields that belong to the portal are not taken from the
feed. ckanext-dcat's harvester matches datasets by the ``guid`` extra, kept.
A dataset whose harvested record has not changed since its last import is
left as it is (reported "not modified"), so a second harvest writes exactly
the datasets that changed.
"""
from __future__ import annotations

import json
from typing import Any

from ckan import model
from ckanext.harvest.model import HarvestObject

from ckanext.quebec.dcat import importer

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


def before_create(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
    identifier = _map(harvest_object, dataset)
    organization = model.Group.get(dataset.get("owner_org")) if dataset.get("owner_org") else None
    dataset["name"] = importer.dataset_name(organization.name if organization else "", identifier)


def before_update(harvest_object: HarvestObject, dataset: dict[str, Any]) -> None:
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
