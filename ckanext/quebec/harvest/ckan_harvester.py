"""quebec_ckan_harvester: ckanext-harvest's CKAN-to-CKAN harvester (source type ``ckan``), with
deletions that follow the source and the suite's address guards.

ckanext-harvest's ``ckan_harvester`` gathers only the datasets modified since
its last job and never learns that one is gone. Here each gather also lists
the ids of every dataset the source still has (same organization and group
filters, ``fl=id``): each dataset harvested from it and no longer there gets
a harvest object marked for deletion, as ckanext-dcat's harvester does, and
its import withdraws it (reported "deleted"). A listing that fails, or finds
nothing, withdraws nothing. Every request goes through the guards of
quebec_harvest (http(s) only, public addresses, the import's time limit).
It replaces ``ckan_harvester`` (same source type): enable one of them.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import requests
from ckan import model
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

from . import guards, mapping, messages
from .language import mark as _

_ROWS = 1000


class QuebecCKANHarvester(CKANHarvester):
    p.implements(p.IConfigurable)

    # IConfigurable

    def configure(self, config: Any) -> None:
        if "ckan_harvester" in tk.aslist(config.get("ckan.plugins")):
            raise RuntimeError("quebec_ckan_harvester replaces ckan_harvester (the same source "
                               "type, 'ckan'): enable one of them")

    # IHarvester

    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        object_ids = super().gather_stage(harvest_job)
        if object_ids is None:
            return None
        remote_ids = self._remote_ids(harvest_job)
        if not remote_ids:
            return object_ids
        return list(object_ids) + _mark_withdrawn(harvest_job, remote_ids)

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        if mapping.object_extra(harvest_object, "status") != "delete":
            return super().import_stage(harvest_object)
        context = {"user": self._get_user_name(), "ignore_auth": True}
        try:
            tk.get_action("package_delete")(context, {"id": harvest_object.package_id})
        except tk.ObjectNotFound:
            pass  # already purged here
        return True

    def _get_content(self, url: str) -> str:
        headers = {key: str(self.config[name]) for key, name in
                   (("User-Agent", "user_agent"), ("Authorization", "api_key"))
                   if self.config.get(name)}
        try:
            response = guards.guarded_session(requests.Session()).get(url, headers=headers)
        except requests.RequestException as error:
            raise ContentFetchError(messages.neutral(_("The request failed: {0}"), str(error)))
        return response.text

    def _remote_ids(self, harvest_job: HarvestJob) -> set[str]:
        """The ids of every dataset the source has now (within the source's filters); empty on error."""
        base = harvest_job.source.url.rstrip("/") + self._get_search_api_offset()
        params = {"fl": "id", "rows": str(_ROWS), "start": "0", "sort": "id asc"}
        terms = _filter_terms(self.config)
        if terms:
            params["fq"] = " ".join(terms)
        ids: set[str] = set()
        while True:
            try:
                page = json.loads(self._get_content(base + "?" + urlencode(params)))["result"]["results"]
            except (ContentFetchError, ValueError, KeyError, TypeError) as error:
                self._save_gather_error(messages.neutral(
                    _("The source's list of datasets could not be read, so none was "
                      "withdrawn: {0}"), str(error)), harvest_job)
                return set()
            ids.update(item["id"] if isinstance(item, dict) else item for item in page)
            if len(page) < _ROWS:
                return ids
            params["start"] = str(int(params["start"]) + _ROWS)


def _filter_terms(config: dict[str, Any]) -> list[str]:
    """The source's organization and group filters, as ckan_harvester's gather writes them."""
    terms = []
    for field, key in (("organization", "organizations"), ("groups", "groups")):
        if config.get(f"{key}_filter_include"):
            terms.append(" OR ".join(f"{field}:{name}" for name in config[f"{key}_filter_include"]))
        elif config.get(f"{key}_filter_exclude"):
            terms.extend(f"-{field}:{name}" for name in config[f"{key}_filter_exclude"])
    return terms


def _mark_withdrawn(harvest_job: HarvestJob, remote_ids: set[str]) -> list[str]:
    """A harvest object marked for deletion for each current dataset of the source not in ``remote_ids``."""
    current = (model.Session.query(HarvestObject.guid, HarvestObject.package_id)
               .filter(HarvestObject.current == True)  # noqa: E712
               .filter(HarvestObject.harvest_source_id == harvest_job.source.id))
    object_ids = []
    for guid, package_id in current:
        if guid in remote_ids or not package_id:
            continue
        model.Session.query(HarvestObject).filter_by(
            guid=guid, harvest_source_id=harvest_job.source.id).update({"current": False}, False)
        obj = HarvestObject(guid=guid, job=harvest_job, package_id=package_id,
                            extras=[HarvestObjectExtra(key="status", value="delete")])
        obj.save()
        object_ids.append(obj.id)
    return object_ids
