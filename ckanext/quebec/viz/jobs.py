"""The preview job: build a resource's extract in the background, then add the views it makes possible."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec import jobs as queue_policy
from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

from . import config, extract, storage, suitability

log = logging.getLogger(__name__)

JOB_TIMEOUT = 1800
# A job can start before the request that queued it has committed the resource.
NOT_FOUND_RETRIES = (0.5, 1.0, 2.0)


def wanted(resource: dict) -> bool:
    """Whether a resource gets a preview (a format the job reads, or a WMS for the map)."""
    return extract.can_extract(resource) or extract.is_wms(resource)


def enqueue(resource: dict) -> None:
    """Queue the preview build of a resource (created or changed)."""
    if not wanted(resource):
        return
    storage.mark_pending(resource["id"])
    tk.enqueue_job(build_preview, [resource["id"]],
                   title=f"quebec_viz preview of resource {resource['id']}",
                   rq_kwargs=queue_policy.rq_kwargs(JOB_TIMEOUT))


def enqueue_if_needed(resource: dict, changed_only: bool = False) -> bool:
    """Queue a build unless one is queued or running (it reads the resource when it starts).

    ``changed_only``: only when what the preview is built from (file, format,
    DataStore) differs from what the current extract was built from.

    :returns: whether a build was queued
    """
    if not resource.get("id") or not wanted(resource) or storage.is_pending(resource["id"]):
        return False
    if changed_only:
        meta = storage.read_meta(resource["id"])
        if meta is not None and meta.get("fingerprint") == extract.fingerprint(resource):
            return False
    enqueue(resource)
    return True


def enqueue_changed(package_id: str) -> list[str]:
    """Queue the builds of a dataset's resources whose file, format or DataStore changed (package_update).

    Read from the model, flushed but not committed: the dataset dict that
    package_update hands its plugins lacks the ids of new resources.

    :returns: the ids of the resources queued
    """
    package = model.Package.get(package_id)
    if package is None:
        return []
    return [resource.id for resource in package.resources
            if enqueue_if_needed(_resource_fields(resource), changed_only=True)]


def _resource_fields(resource: "model.Resource") -> dict[str, Any]:
    """What extract.fingerprint and wanted() read, from a resource's row."""
    fields = dict(resource.extras or {})
    fields.update({name: getattr(resource, name, None) for name in extract.FINGERPRINT_FIELDS
                   if name != "datastore_active"})
    fields["id"] = resource.id
    return fields


def enqueue_dataset(package_id: str) -> None:
    """Queue the preview builds of a new dataset's resources.

    Resources given inline to package_create fire no resource hook, and the
    dataset dict the hook gets carries no resource ids yet: the job reads them.
    """
    tk.enqueue_job(build_dataset_previews, [package_id],
                   title=f"quebec_viz previews of dataset {package_id}",
                   rq_kwargs=queue_policy.rq_kwargs(JOB_TIMEOUT))


def build_dataset_previews(package_id: str) -> list[str]:
    """Build the previews of a dataset's resources that have none and none queued.

    :returns: the ids of the resources built
    """
    try:
        dataset = tk.get_action("package_show")(_context(), {"id": package_id})
    except tk.ObjectNotFound:
        return []
    built = []
    for resource in dataset.get("resources", []):
        if (wanted(resource) and storage.read_meta(resource["id"]) is None
                and not storage.is_pending(resource["id"])):
            build_preview(resource["id"])
            built.append(resource["id"])
    return built


def build_preview(resource_id: str) -> dict[str, Any] | None:
    """Build the extract of a resource and create its default views. Never raises.

    :returns: the extract's meta.json, or None when the resource is gone
    """
    resource = _resource_or_none(resource_id)
    if resource is None:
        storage.delete(resource_id)
        return None
    build = storage.new_build_directory(resource_id)
    settings = config.extract_settings()
    try:
        meta = _build_in_child(resource, build, settings)
    except Exception:  # the worker must live on whatever a file holds
        log.exception("Preview of resource %s failed", resource_id)
        storage.discard(build)
        build = storage.new_build_directory(resource_id)
        meta = extract.Builder(resource, build, extract.Settings(**settings)).fail(TabularError(
            "internal", _("The preview could not be built because of an error in the portal")))
    storage.publish(resource_id, build)
    storage.clear_pending(resource_id)
    try:
        create_default_views(_context(), resource, meta)
    except Exception:
        log.exception("Default views of resource %s could not be created", resource_id)
    # a change made while this build ran was not queued (a build was pending)
    current = _resource_or_none(resource_id, retries=())
    if current is not None and extract.fingerprint(current) != meta.get("fingerprint"):
        enqueue(current)
    return meta


def resource_dict(resource_id: str) -> Optional[dict]:
    """The resource as resource_show gives it to the site user, or None."""
    return _resource_or_none(resource_id, retries=())


def _resource_or_none(resource_id: str, retries: tuple = NOT_FOUND_RETRIES) -> Optional[dict]:
    """resource_show as the site user; None when gone (asked again after each of ``retries`` seconds)."""
    for wait in (*retries, None):
        try:
            return tk.get_action("resource_show")(_context(), {"id": resource_id})
        except tk.ObjectNotFound:
            if wait is None:
                return None
            time.sleep(wait)
    return None


def _build_in_child(resource: dict, build: str, settings: dict) -> dict[str, Any]:
    """Run child.py on the resource; its meta.json, or an exception when it did not finish."""
    order = {"resource": resource, "directory": build, "settings": settings,
             "path": tabular.uploaded_path(resource), "datastore": _datastore_table(resource)}
    finished = subprocess.run(
        [sys.executable, "-m", "ckanext.quebec.viz.child"], input=json.dumps(order),
        capture_output=True, text=True, timeout=JOB_TIMEOUT - 60, check=False)
    meta = storage.read_build_meta(build)
    if finished.returncode != 0 or meta is None:
        raise RuntimeError(f"the preview process ended with status {finished.returncode}: "
                           f"{finished.stderr[-2000:]}")
    return meta


def _datastore_table(resource: dict) -> Optional[dict[str, Any]]:
    """Where the child reads a resource's DataStore table (read-only URL, table, fields); None: the file."""
    if not extract.uses_datastore(resource) or not p.plugin_loaded("datastore"):
        return None
    try:
        info = tk.get_action("datastore_info")(_context(), {"id": resource["id"]})
    except (tk.ObjectNotFound, tk.ValidationError):
        log.info("Resource %s says datastore_active but has no DataStore table: "
                 "its file is previewed", resource["id"])
        return None
    fields = [{"id": field["id"], "type": field.get("type")} for field in info.get("fields") or ()]
    if not fields:
        return None
    return {"url": tk.config.get("ckan.datastore.read_url"), "table": resource["id"],
            "fields": fields}


def _context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def create_default_views(context: dict, resource: dict, meta: dict) -> list[str]:
    """Create the quebec views the extract supports that the resource does not have yet.

    :returns: the view types created
    """
    existing = {view["view_type"] for view in
                tk.get_action("resource_view_list")(dict(context), {"id": resource["id"]})}
    created = []
    for view_type, title in (("quebec_table", _("Table")), ("quebec_chart", _("Chart")),
                             ("quebec_map", _("Map"))):
        if view_type in existing or not p.plugin_loaded(f"{view_type}_view"):
            continue
        if not suitability.suits(view_type, resource, meta):
            continue
        data_dict = {"resource_id": resource["id"], "view_type": view_type, "title": title}
        tk.get_action("resource_view_create")(dict(context), data_dict)
        created.append(view_type)
    return created
