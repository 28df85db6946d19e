"""The preview job: build a resource's extract in the background, then add the views it makes possible."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

from . import config, extract, storage, suitability

log = logging.getLogger(__name__)

JOB_TIMEOUT = 1800


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
                   rq_kwargs={"timeout": JOB_TIMEOUT})


def enqueue_dataset(package_id: str) -> None:
    """Queue the preview builds of a new dataset's resources.

    Resources given inline to package_create fire no resource hook, and the
    dataset dict the hook gets carries no resource ids yet: the job reads them.
    """
    tk.enqueue_job(build_dataset_previews, [package_id],
                   title=f"quebec_viz previews of dataset {package_id}",
                   rq_kwargs={"timeout": JOB_TIMEOUT})


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
    context = _context()
    try:
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
    except tk.ObjectNotFound:
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
    return meta


def _build_in_child(resource: dict, build: str, settings: dict) -> dict[str, Any]:
    """Run child.py on the resource; its meta.json, or an exception when it did not finish."""
    order = {"resource": resource, "directory": build, "settings": settings,
             "path": tabular.uploaded_path(resource)}
    finished = subprocess.run(
        [sys.executable, "-m", "ckanext.quebec.viz.child"], input=json.dumps(order),
        capture_output=True, text=True, timeout=JOB_TIMEOUT - 60, check=False)
    meta = storage.read_build_meta(build)
    if finished.returncode != 0 or meta is None:
        raise RuntimeError(f"the preview process ended with status {finished.returncode}: "
                           f"{finished.stderr[-2000:]}")
    return meta


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
