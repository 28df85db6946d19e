"""Where a resource's preview extract lives: a folder per resource under CKAN's storage path.

``<storage>/quebec_viz/<id[:3]>/<id>/`` holds meta.json, rows.parquet and
features.geojson. A build writes a new folder beside it and swaps it in only
when complete, so readers see the old extract or the new one, never half of
one. ``<id>.pending`` marks a build queued or running.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import uuid
from typing import Any, Optional

from . import config

FOLDER = "quebec_viz"


def _root() -> str:
    root = config.storage_path()
    if not root:
        raise RuntimeError("ckan.storage_path is not set: quebec_viz needs it to store previews")
    return os.path.join(root, FOLDER)


def extract_directory(resource_id: str) -> str:
    return os.path.join(_root(), resource_id[:3], resource_id)


def _pending_path(resource_id: str) -> str:
    return extract_directory(resource_id) + ".pending"


def read_meta(resource_id: str) -> Optional[dict[str, Any]]:
    """The meta.json of the resource's current extract, or None."""
    path = os.path.join(extract_directory(resource_id), "meta.json")
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (FileNotFoundError, ValueError):
        return None


def read_build_meta(build_directory: str) -> Optional[dict[str, Any]]:
    """The meta.json a build wrote, or None."""
    try:
        with open(os.path.join(build_directory, "meta.json"), encoding="utf-8") as stream:
            return json.load(stream)
    except (FileNotFoundError, ValueError):
        return None


def file_path(resource_id: str, name: str) -> str:
    return os.path.join(extract_directory(resource_id), name)


def mark_pending(resource_id: str) -> None:
    os.makedirs(os.path.dirname(_pending_path(resource_id)), exist_ok=True)
    with open(_pending_path(resource_id), "w", encoding="utf-8") as stream:
        stream.write(datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))


def is_pending(resource_id: str) -> bool:
    return os.path.exists(_pending_path(resource_id))


def clear_pending(resource_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(_pending_path(resource_id))


def new_build_directory(resource_id: str) -> str:
    """An empty folder, beside the extract's, to build the next extract in."""
    path = f"{extract_directory(resource_id)}.build-{uuid.uuid4().hex}"
    os.makedirs(path)
    return path


def publish(resource_id: str, build_directory: str) -> None:
    """Make a complete build the resource's extract, replacing the previous one."""
    target = extract_directory(resource_id)
    shutil.rmtree(os.path.join(build_directory, ".spill"), ignore_errors=True)
    old = f"{target}.old-{uuid.uuid4().hex}"
    with contextlib.suppress(FileNotFoundError):
        os.rename(target, old)
    os.rename(build_directory, target)
    shutil.rmtree(old, ignore_errors=True)


def discard(build_directory: str) -> None:
    shutil.rmtree(build_directory, ignore_errors=True)


def delete(resource_id: str) -> None:
    """Remove the resource's extract (the resource was deleted)."""
    shutil.rmtree(extract_directory(resource_id), ignore_errors=True)
    clear_pending(resource_id)
