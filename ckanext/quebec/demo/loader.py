"""Loads the demo catalogue (data/catalogue.yaml) into CKAN, keeping whatever exists.

Organizations, groups and datasets are matched by name. One that exists is kept
as it is, even when its state or content differs from the catalogue: an admin
may have edited or deleted it on purpose. Resource files are uploaded to CKAN's
FileStore, so the portal serves them itself.

A dataset is created as a draft, given its resources, then made active. A
draft demo dataset is thus one whose load was interrupted; the next load
finishes it instead of keeping it half made.

With the Québec schema (plugins ``scheming_datasets`` and ``quebec_schema``)
datasets are created with its bilingual fields. Without it they are mapped onto
core fields: title, notes and resource names from the French texts, tags from
the French keywords, and the schema's other dataset fields as extras, stored as
the schema stores them (bilingual values as JSON), so that enabling the schema
later reads them back. Either way the categories also put the dataset in the
CKAN groups of the same name, which the stock search page facets on (with the
schema, quebec_schema keeps them in step). A dataset without an ``extent``
gets the bounding box of its territories: from the schema, or here without it.

With ``quebec_partners``, a load that creates organizations then applies the
demo partner list (partners/data/partners-demo.csv): partner types, umbrellas,
regions, and the partners that publish no demo dataset (the Gouvernement du
Québec umbrella and its ministries). A later load, which creates no
organization, leaves partners as administrators left them.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.quebec import resources
from ckanext.quebec.schema import vocabularies

log = logging.getLogger(__name__)

CATALOGUE_FILE = "catalogue.yaml"
FILES_FOLDER = "files"

# The schema's bilingual dataset fields, by their key in the catalogue.
TRANSLATED_FIELDS = {"title": "title_translated", "notes": "notes_translated",
                     "methodologie": "methodologie_translated"}
# The schema's other dataset fields, copied as they are.
SCHEMA_FIELDS = ("organisation_principale", "update_frequency", "temporal_start",
                 "temporal_end", "language")
# Resource fields copied as they are (the compliance answers come from a profile).
RESOURCE_FIELDS = ("resource_type", "data_dictionary")
# The keys of a bilingual text: French, English, English machine-translated.
LANGUAGE_KEYS = ("fr", "en", "en-t-fr")
RESOURCE_TYPES = ("donnees", "cartes", "web", "documentation")
# What CKAN accepts in a tag (ckan.logic.validators.tag_name_validator).
_CORE_TAG = re.compile(r"^[\w \-.]+$", re.UNICODE)

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
    # the report lines of the demo partner list, when it was applied
    partner_lines: list[str] = dataclasses.field(default_factory=list)
    # the report lines of the demo guides (quebec_guides), when loaded
    guide_lines: list[str] = dataclasses.field(default_factory=list)
    # the report lines of the demo suggestions and campaign (quebec_participation), when loaded
    participation_lines: list[str] = dataclasses.field(default_factory=list)

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
        lines += self.partner_lines + self.guide_lines + self.participation_lines
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
    loader = _Loader(site_user["name"], catalogue, files_directory(path), uses_schema())
    for organization in catalogue["organizations"]:
        loader.ensure_group(organization, is_organization=True)
    if plugins.plugin_loaded("quebec_partners") and loader.report.created("organization"):
        loader.report.partner_lines = _apply_demo_partners()
    for group in catalogue["groups"]:
        loader.ensure_group(group, is_organization=False)
    for dataset in catalogue["datasets"]:
        loader.ensure_dataset(dataset)
    if plugins.plugin_loaded("quebec_guides"):
        from ckanext.quebec.guides import demo as demo_guides

        loader.report.guide_lines = demo_guides.load()
    if plugins.plugin_loaded("quebec_participation"):
        from ckanext.quebec.participation import demo as demo_participation

        loader.report.participation_lines = demo_participation.load()
    return loader.report


def _apply_demo_partners() -> list[str]:
    from ckanext.quebec.partners import loader as partners_loader

    path = os.path.join(os.path.dirname(partners_loader.__file__), "data", "partners-demo.csv")
    return partners_loader.load(path).lines()


def uses_schema() -> bool:
    """Whether datasets are created under the Québec schema (else with core fields)."""
    return plugins.plugin_loaded("quebec_schema") and plugins.plugin_loaded("scheming_datasets")


class _Loader:
    def __init__(self, user: str, catalogue: dict[str, Any], files_folder: str, schema: bool):
        self.user = user
        self.formats = catalogue["formats"]
        self.compliance = catalogue["conformite"]
        self.files_folder = files_folder
        self.schema = schema
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
                if resource["name"]["fr"] in present:
                    self.report.add("resource", KEPT, _resource_label(name, resource))
            return

        if existing is None:
            data_dict = (_schema_dataset if self.schema else _core_dataset)(item)
            existing = tk.get_action("package_create")(self._context(), data_dict)
        else:
            log.info("Finishing the demo dataset %s, left as a draft by an earlier load", name)
        # Core resource names are the French ones, with or without the schema.
        present = {resource["name"] for resource in existing["resources"]}
        for resource in item["resources"]:
            label = _resource_label(name, resource)
            if resource["name"]["fr"] in present:
                self.report.add("resource", KEPT, label)
            else:
                self._create_resource(existing["id"], resource)
                self.report.add("resource", CREATED, label)
        tk.get_action("package_patch")(self._context(), {"id": existing["id"], "state": "active"})
        self.report.add("dataset", CREATED, name)

    def _create_resource(self, dataset_id: str, resource: dict[str, Any]) -> None:
        """Upload the resource's file, or link to its URL."""
        data_dict = self._resource_dict(resource)
        data_dict["package_id"] = dataset_id
        if not resource.get("file"):
            data_dict.update(url=resource["url"], format=resource["format"])
            tk.get_action("resource_create")(self._context(), data_dict)
            return
        filename = resource["file"]
        publication = self.formats[_extension(filename)]
        data_dict.update(format=publication["format"], mimetype=publication["mimetype"], url=filename)
        path = os.path.join(self.files_folder, filename)
        # The schema's size is in MB; at least 0.001 so that a small file does not show 0.
        data_dict["taille_entier"] = f"{max(os.path.getsize(path) / 1_000_000, 0.001):.3f}"
        with open(path, "rb") as stream:
            data_dict["upload"] = FileStorage(
                stream=stream, filename=filename, content_type=publication["mimetype"])
            tk.get_action("resource_create")(self._context(), data_dict)

    def _resource_dict(self, resource: dict[str, Any]) -> dict[str, Any]:
        data_dict = {key: resource[key].strip() for key in RESOURCE_FIELDS if resource.get(key)}
        for answer, value in self.compliance.get(resource.get("conformite"), {}).items():
            data_dict[f"conformite_{answer}"] = value
        description = _stripped(resource.get("description", {}))
        if self.schema:
            data_dict["name_translated"] = _stripped(resource["name"])
            if description:
                data_dict["description_translated"] = description
        else:
            data_dict["name"] = resource["name"]["fr"].strip()
            data_dict["description"] = description.get("fr", "")
        return data_dict


def _stripped(texts: dict[str, str]) -> dict[str, str]:
    return {key: text.strip() for key, text in texts.items()}


def _extent(item: dict[str, Any], territories: bool = False) -> dict[str, Any] | None:
    """The catalogue's [west, south, east, north] as a GeoJSON polygon.

    With ``territories``, a dataset without an extent gets its territories' box.
    """
    box = item.get("extent")
    if not box and territories:
        box = vocabularies.envelope("territories", item.get("territories") or [])
    if not box:
        return None
    west, south, east, north = box
    return {"type": "Polygon", "coordinates": [[
        [west, south], [east, south], [east, north], [west, north], [west, south]]]}


def _common_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": item["name"],
        "owner_org": item["organization"],
        "license_id": item.get("license_id", "cc-by"),
        "author": item.get("author", ""),
        "author_email": item.get("author_email", ""),
        "url": item.get("url", ""),
        "groups": [{"name": category} for category in item["categories"]],
        # Active once its resources are in; see the module docstring.
        "state": "draft",
    }


def _schema_dataset(item: dict[str, Any]) -> dict[str, Any]:
    """The dataset under the Québec schema."""
    data_dict = _common_fields(item)
    for key, field in TRANSLATED_FIELDS.items():
        if item.get(key):
            data_dict[field] = _stripped(item[key])
    data_dict["keywords"] = item["keywords"]
    data_dict["categories"] = list(item["categories"])
    if item.get("territories"):
        data_dict["territories"] = list(item["territories"])
    data_dict.update({field: item[field] for field in SCHEMA_FIELDS if item.get(field)})
    if item.get("extent"):
        data_dict["spatial"] = _extent(item)
    return data_dict


def _core_dataset(item: dict[str, Any]) -> dict[str, Any]:
    """The dataset with core fields only, the rest as extras (see the module docstring)."""
    data_dict = _common_fields(item)
    data_dict["title"] = item["title"]["fr"].strip()
    data_dict["notes"] = item["notes"]["fr"].strip()
    data_dict["tags"] = [{"name": keyword} for keyword in item["keywords"]["fr"]]
    extras = {field: json.dumps(_stripped(item[key]), ensure_ascii=False)
              for key, field in TRANSLATED_FIELDS.items() if item.get(key)}
    extras["keywords"] = json.dumps(item["keywords"], ensure_ascii=False)
    extras["categories"] = json.dumps(item["categories"])
    if item.get("territories"):
        extras["territories"] = json.dumps(item["territories"])
    extras.update({field: item[field] for field in SCHEMA_FIELDS if item.get(field)})
    extent = _extent(item, territories=True)
    if extent:
        extras["spatial"] = json.dumps(extent)
    data_dict["extras"] = [{"key": key, "value": value} for key, value in extras.items()]
    return data_dict


def _resource_label(dataset_name: str, resource: dict[str, Any]) -> str:
    return f"{dataset_name}/{resource.get('file') or resource.get('url')}"


def _extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lstrip(".").lower()


def _texts_problems(where: str, field: str, texts: Any, required: bool = True) -> list[str]:
    if texts is None and not required:
        return []
    if not isinstance(texts, dict) or not texts.get("fr"):
        return [f"{where} has no French {field}"]
    unknown = set(texts) - set(LANGUAGE_KEYS)
    if unknown:
        return [f"{where}: {field} has unknown language keys {sorted(unknown)}"]
    if "en" in texts and "en-t-fr" in texts:
        return [f"{where}: {field} has both en and en-t-fr"]
    return []


def _problems(catalogue: Any, files_folder: str) -> list[str]:
    if not isinstance(catalogue, dict):
        return ["the catalogue is not a mapping"]
    problems = [f"no {section}" for section in ("formats", "conformite", "organizations", "groups", "datasets")
                if not catalogue.get(section)]
    if problems:
        return problems
    problems, declared = _name_problems(catalogue)
    for dataset in catalogue["datasets"]:
        where = f"dataset {dataset.get('name')}"
        problems += _dataset_problems(where, dataset, declared)
        problems += _coverage_problems(where, dataset)
        problems += _resources_problems(where, dataset.get("resources") or [], catalogue, files_folder)
    return problems


def _name_problems(catalogue: dict) -> tuple[list[str], dict[str, set[str]]]:
    """Names missing or repeated, organizations and groups without title or description; the names declared."""
    problems = []
    declared: dict[str, set[str]] = {}
    for section in ("organizations", "groups", "datasets"):
        names = [item.get("name") for item in catalogue[section]]
        declared[section] = set(names)
        for name in sorted({name for name in names if names.count(name) > 1}, key=str):
            problems.append(f"{section}: {name} appears more than once")
        for item in catalogue[section]:
            if not item.get("name"):
                problems.append(f"{section}: an item has no name")
            if section != "datasets":
                for field in ("title", "description"):
                    if not item.get(field):
                        problems.append(f"{section}: {item.get('name')} has no {field}")
    return problems, declared


def _dataset_problems(where: str, dataset: dict, declared: dict[str, set[str]]) -> list[str]:
    """The dataset's texts, keywords, required fields, organization and categories."""
    problems = _texts_problems(where, "title", dataset.get("title"))
    problems += _texts_problems(where, "notes", dataset.get("notes"))
    problems += _texts_problems(where, "keywords", dataset.get("keywords"))
    for keyword in (dataset.get("keywords") or {}).get("fr") or []:
        # They are the dataset's tags without the schema.
        if not _CORE_TAG.match(keyword):
            problems.append(f"{where}: the keyword {keyword!r} is not a valid CKAN tag")
    problems += _texts_problems(where, "methodologie", dataset.get("methodologie"), False)
    for field in ("organization", "organisation_principale", "update_frequency", "categories"):
        if not dataset.get(field):
            problems.append(f"{where} has no {field}")
    if dataset.get("organization") not in declared["organizations"]:
        problems.append(f"{where}: unknown organization {dataset.get('organization')}")
    for category in dataset.get("categories") or []:
        if category not in declared["groups"]:
            problems.append(f"{where}: unknown category {category}")
    return problems


def _coverage_problems(where: str, dataset: dict) -> list[str]:
    """The dataset's territories and extent."""
    problems = []
    known_territories = {entry["value"] for entry in vocabularies.get("territories")}
    territories = dataset.get("territories", [])
    if not isinstance(territories, list):
        problems.append(f"{where}: territories is not a list")
    else:
        for territory in territories:
            if territory not in known_territories:
                problems.append(f"{where}: unknown territory {territory}")
    extent = dataset.get("extent")
    if extent is not None and not (
            isinstance(extent, list) and len(extent) == 4
            and extent[0] < extent[2] and extent[1] < extent[3]):
        problems.append(f"{where}: the extent is not [west, south, east, north]")
    return problems


def _resources_problems(where: str, resources: list[dict], catalogue: dict, files_folder: str) -> list[str]:
    """The dataset's resources: at least one, a data file among them, distinct names, then each resource."""
    problems = []
    if not resources:
        problems.append(f"{where} has no resources")
    if not any(resource.get("resource_type") == "donnees" and resource.get("file")
               for resource in resources):
        problems.append(f"{where} has no data file (a file resource of type donnees)")
    resource_names = [(resource.get("name") or {}).get("fr") for resource in resources]
    if len(set(resource_names)) != len(resource_names):
        problems.append(f"{where}: two resources have the same name")
    for resource in resources:
        problems += _resource_problems(where, resource, catalogue, files_folder)
    return problems


def _resource_problems(where: str, resource: dict, catalogue: dict, files_folder: str) -> list[str]:
    """One resource's texts, type, conformity profile, and its file (present, format declared) or https URL."""
    label = resource.get("file") or resource.get("url")
    problems = _texts_problems(f"{where}: resource {label}", "name", resource.get("name"))
    problems += _texts_problems(f"{where}: resource {label}", "description", resource.get("description"), False)
    if resource.get("resource_type") not in RESOURCE_TYPES:
        problems.append(f"{where}: resource {label} has no known resource_type")
    profile = resource.get("conformite")
    if profile is not None and profile not in catalogue["conformite"]:
        problems.append(f"{where}: resource {label}: unknown conformite {profile}")
    if resource.get("file"):
        filename = resource["file"]
        if not os.path.isfile(os.path.join(files_folder, filename)):
            problems.append(f"{where}: no file {filename} in {files_folder}")
        if _extension(filename) not in catalogue["formats"]:
            problems.append(f"{where}: no format declared for {filename}")
    elif not (str(resource.get("url", "")).startswith("https://") and resource.get("format")):
        problems.append(f"{where}: resource {label} has neither a file nor an https url and format")
    return problems
