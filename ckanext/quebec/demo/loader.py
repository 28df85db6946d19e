"""Loads the demo catalogue (data/catalogue.yaml) into CKAN, keeping whatever exists.

Organizations, groups and datasets are matched by name. One that exists is kept
as it is, even when its state or content differs from the catalogue: an admin
may have edited or deleted it on purpose. Resource files are uploaded to CKAN's
FileStore, so the portal serves them itself.

A dataset is created as a draft, given its resources, then made active. A
draft demo dataset is thus one whose load was interrupted; the next load
finishes it instead of keeping it half made.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.quebec import resources

log = logging.getLogger(__name__)

CATALOGUE_FILE = "catalogue.yaml"
FILES_FOLDER = "files"

CREATED = "created"
KEPT = "kept"
# Kinds of catalogue items, in the order they are loaded and reported.
KINDS = ("organization", "group", "dataset", "resource")
_PLURALS = {kind: f"{kind}s" for kind in KINDS}


class CatalogueError(ValueError):
    """The catalogue file contradicts itself or names a file that is missing."""


@dataclasses.dataclass
class Report:
    """What a load did: for each kind, the names created and the names kept."""

    items: dict[str, dict[str, list[str]]] = dataclasses.field(
        default_factory=lambda: {kind: {CREATED: [], KEPT: []} for kind in KINDS})

    def add(self, kind: str, outcome: str, name: str) -> None:
        self.items[kind][outcome].append(name)

    def created(self, kind: str) -> list[str]:
        return list(self.items[kind][CREATED])

    def kept(self, kind: str) -> list[str]:
        return list(self.items[kind][KEPT])

    def counts(self) -> dict[str, dict[str, int]]:
        return {kind: {outcome: len(names) for outcome, names in outcomes.items()}
                for kind, outcomes in self.items.items()}

    def lines(self) -> list[str]:
        lines = [f"{outcome} {kind} {name}"
                 for kind in KINDS
                 for outcome in (CREATED, KEPT)
                 for name in self.items[kind][outcome]]
        summary = ", ".join(
            f"{_PLURALS[kind]} {len(self.items[kind][CREATED])} created"
            f" / {len(self.items[kind][KEPT])} kept"
            for kind in KINDS)
        lines.append(f"Demo catalogue loaded: {summary}.")
        return lines


def default_catalogue_path() -> str:
    return os.path.join(resources.package_path("ckanext.quebec.demo"), "data", CATALOGUE_FILE)


def files_directory(catalogue_path: str) -> str:
    """Where the data files of a catalogue are: files/ beside it."""
    return os.path.join(os.path.dirname(catalogue_path), FILES_FOLDER)


def read_catalogue(path: str | None = None) -> dict[str, Any]:
    """The catalogue description, checked for consistency.

    :raises CatalogueError: listing every problem found
    """
    path = path or default_catalogue_path()
    with open(path, encoding="utf-8") as stream:
        catalogue = yaml.safe_load(stream)
    problems = _problems(catalogue, files_directory(path))
    if problems:
        raise CatalogueError(f"{path}:\n  " + "\n  ".join(problems))
    return catalogue


def load(path: str | None = None) -> Report:
    """Create what is missing from the demo catalogue, as the site user.

    :param path: a catalogue file; the packaged demo catalogue by default
    :returns: the names created and kept, per kind
    """
    path = path or default_catalogue_path()
    catalogue = read_catalogue(path)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    loader = _Loader(site_user["name"], catalogue["formats"], files_directory(path))
    for organization in catalogue["organizations"]:
        loader.ensure_group(organization, is_organization=True)
    for group in catalogue["groups"]:
        loader.ensure_group(group, is_organization=False)
    for dataset in catalogue["datasets"]:
        loader.ensure_dataset(dataset)
    return loader.report


class _Loader:
    def __init__(self, user: str, formats: dict[str, dict[str, str]], files_folder: str):
        self.user = user
        self.formats = formats
        self.files_folder = files_folder
        self.report = Report()

    def _context(self) -> Context:
        # A fresh context per call: actions leave objects in the one they get.
        return {"user": self.user, "ignore_auth": True}

    def _show(self, action: str, data_dict: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return tk.get_action(action)(self._context(), data_dict)
        except tk.ObjectNotFound:
            return None

    def ensure_group(self, item: dict[str, Any], is_organization: bool) -> None:
        kind = "organization" if is_organization else "group"
        existing = self._show(f"{kind}_show", {
            "id": item["name"], "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_followers": False,
        })
        if existing is not None:
            self.report.add(kind, KEPT, item["name"])
            return
        tk.get_action(f"{kind}_create")(self._context(), {
            "name": item["name"],
            "title": item["title"].strip(),
            "description": item["description"].strip(),
        })
        self.report.add(kind, CREATED, item["name"])

    def ensure_dataset(self, item: dict[str, Any]) -> None:
        name = item["name"]
        existing = self._show("package_show", {"id": name})
        if existing is not None and existing["state"] != "draft":
            self.report.add("dataset", KEPT, name)
            present = {resource["name"] for resource in existing["resources"]}
            for resource in item["resources"]:
                if resource["name"] in present:
                    self.report.add("resource", KEPT, _resource_label(name, resource))
            return

        if existing is None:
            existing = tk.get_action("package_create")(self._context(), _dataset_dict(item))
        else:
            log.info("Finishing the demo dataset %s, left as a draft by an earlier load", name)
        present = {resource["name"] for resource in existing["resources"]}
        for resource in item["resources"]:
            label = _resource_label(name, resource)
            if resource["name"] in present:
                self.report.add("resource", KEPT, label)
            else:
                self._upload_resource(existing["id"], resource)
                self.report.add("resource", CREATED, label)
        tk.get_action("package_patch")(self._context(), {"id": existing["id"], "state": "active"})
        self.report.add("dataset", CREATED, name)

    def _upload_resource(self, dataset_id: str, resource: dict[str, Any]) -> None:
        filename = resource["file"]
        publication = self.formats[_extension(filename)]
        data_dict = {
            "package_id": dataset_id,
            "name": resource["name"],
            "description": resource.get("description", ""),
            "format": publication["format"],
            "mimetype": publication["mimetype"],
            "url": filename,
        }
        if resource.get("resource_type"):
            data_dict["resource_type"] = resource["resource_type"]
        with open(os.path.join(self.files_folder, filename), "rb") as stream:
            data_dict["upload"] = FileStorage(
                stream=stream, filename=filename, content_type=publication["mimetype"])
            tk.get_action("resource_create")(self._context(), data_dict)


def _dataset_dict(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": item["name"],
        "title": item["title"],
        "notes": item["notes"].strip(),
        "owner_org": item["organization"],
        "license_id": item.get("license_id", "cc-by"),
        "author": item.get("author", ""),
        "author_email": item.get("author_email", ""),
        "url": item.get("url", ""),
        "tags": [{"name": tag} for tag in item.get("tags", [])],
        "groups": [{"name": group} for group in item.get("groups", [])],
        "extras": [
            {"key": "organisation_principale", "value": item["organisation_principale"]},
            {"key": "update_frequency", "value": item["update_frequency"]},
        ],
        # Active once its resources are in; see the module docstring.
        "state": "draft",
    }


def _resource_label(dataset_name: str, resource: dict[str, Any]) -> str:
    return f"{dataset_name}/{resource['file']}"


def _extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lstrip(".").lower()


def _problems(catalogue: Any, files_folder: str) -> list[str]:
    if not isinstance(catalogue, dict):
        return ["the catalogue is not a mapping"]
    problems = []
    for section in ("formats", "organizations", "groups", "datasets"):
        if not catalogue.get(section):
            problems.append(f"no {section}")
    if problems:
        return problems

    declared: dict[str, set[str]] = {}
    for section in ("organizations", "groups", "datasets"):
        names = [item.get("name") for item in catalogue[section]]
        declared[section] = set(names)
        for name in sorted({name for name in names if names.count(name) > 1}, key=str):
            problems.append(f"{section}: {name} appears more than once")
        for item in catalogue[section]:
            for field in ("name", "title") + (("description",) if section != "datasets" else ()):
                if not item.get(field):
                    problems.append(f"{section}: {item.get('name')} has no {field}")

    for dataset in catalogue["datasets"]:
        name = dataset.get("name")
        for field in ("notes", "organization", "organisation_principale", "update_frequency"):
            if not dataset.get(field):
                problems.append(f"dataset {name} has no {field}")
        if dataset.get("organization") not in declared["organizations"]:
            problems.append(f"dataset {name}: unknown organization {dataset.get('organization')}")
        for group in dataset.get("groups", []):
            if group not in declared["groups"]:
                problems.append(f"dataset {name}: unknown group {group}")
        if not dataset.get("resources"):
            problems.append(f"dataset {name} has no resources")
        resource_names = [resource.get("name") for resource in dataset.get("resources", [])]
        if len(set(resource_names)) != len(resource_names):
            problems.append(f"dataset {name}: two resources have the same name")
        for resource in dataset.get("resources", []):
            filename = resource.get("file") or ""
            if not resource.get("name"):
                problems.append(f"dataset {name}: resource {filename} has no name")
            if not os.path.isfile(os.path.join(files_folder, filename)):
                problems.append(f"dataset {name}: no file {filename} in {files_folder}")
            if _extension(filename) not in catalogue["formats"]:
                problems.append(f"dataset {name}: no format declared for {filename}")
    return problems
