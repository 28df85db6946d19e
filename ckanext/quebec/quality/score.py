"""The metadata score of a dataset: data.europa.eu's MQA (5 dimensions, 405 points) plus the Québec checks.

A pure function of the dataset dict (as ``package_show`` gives it) and of the
recorded link checks of its resources, so it runs the same in a background
job, in the bench and in unit tests.

MQA indicators and points (data.europa.eu Metadata Quality Assessment):

- findability (100): keywords 30, categories (dcat:theme) 30, geographic
  coverage 20, temporal coverage 20;
- accessibility (100): access URL answers 50, download URL given 20,
  download URL answers 30;
- interoperability (110): format 20, media type 10, format from a
  vocabulary 10, non-proprietary format 20, machine-readable format 20,
  DCAT-AP mandatory properties 30;
- reusability (75): licence 20, licence from a vocabulary 10, access
  rights 10, access rights from a vocabulary 5, contact point 20,
  publisher 10;
- contextuality (20): rights 5, file size 5, issue date 5, modification date 5.

Distribution-level indicators give the share of the points matching the
share of resources that pass (rounded), as the MQA weighs them per
distribution. Bands: excellent 351–405, bon 221–350, suffisant 121–220,
faible 0–120.

Québec checks (``quebec``, 80 points, not part of the 405): title and
description in French and English 20, the nine guideline answers given on
every data resource 20, a data dictionary 20, updated as often as its
declared frequency 20.

The level combines the band with the data: an invalid file (validation
``invalid``) caps it at ``suffisant``; a file that could not be checked
(``error``) or Québec checks below half their points cap it at ``bon``.
"""
from __future__ import annotations

import datetime
import functools
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import yaml

from ckanext.quebec.schema import fields, vocabularies

LEVELS = ("faible", "suffisant", "bon", "excellent")
BANDS = ((351, "excellent"), (221, "bon"), (121, "suffisant"), (0, "faible"))
MQA_MAX = 405
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality", "quebec")
# The guideline answers of the resource schema, and the answers they accept.
COMPLIANCE_FIELDS = tuple(field["field_name"] for field in fields.compliance_fields())
COMPLIANCE_ANSWERS = fields.compliance_answers()
# Days between two updates, at most, for each update frequency code (the
# vocabulary's ``days``); codes without a period (continuous, irregular,
# asNeeded...) are never late.
FREQUENCY_DAYS = vocabularies.by_value("update_frequencies", "days")
PUBLIC_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def _(message: str) -> str:
    return message


@dataclass
class Check:
    """One indicator: ``passed`` when it has all its points; ``hint`` says how to earn them."""

    dimension: str
    name: str
    points: int
    max: int
    label: str
    hint: str

    @property
    def passed(self) -> bool:
        return self.points == self.max

    def as_dict(self) -> dict:
        return {"dimension": self.dimension, "name": self.name, "passed": self.passed, "points": self.points,
                "max": self.max, "label": self.label, "hint": self.hint}


@dataclass
class Score:
    """The checks of a dataset, their totals and the level."""

    checks: list[Check] = field(default_factory=list)
    validation: str = "not_checked"

    @property
    def total(self) -> int:
        return sum(c.points for c in self.checks if c.dimension != "quebec")

    def dimension(self, name: str) -> dict:
        checks = [c for c in self.checks if c.dimension == name]
        return {"score": sum(c.points for c in checks), "max": sum(c.max for c in checks)}

    @property
    def band(self) -> str:
        return band(self.total)

    @property
    def level(self) -> str:
        return level(self.total, self.validation, self.dimension("quebec"))

    def as_dict(self) -> dict:
        return {"score": self.total, "max_score": MQA_MAX, "level": self.level, "band": self.band,
                "dimensions": {name: self.dimension(name) for name in DIMENSIONS},
                "checks": [c.as_dict() for c in self.checks]}


def band(total: int) -> str:
    """The MQA band of a score out of 405."""
    return next(name for floor, name in BANDS if total >= floor)


def level(total: int, validation: str, quebec: dict) -> str:
    """The dataset's level: the band, capped by invalid data and by failing Québec checks."""
    rank = LEVELS.index(band(total))
    if validation == "invalid":
        rank = min(rank, LEVELS.index("suffisant"))
    if validation == "error" or (quebec["max"] and quebec["score"] * 2 < quebec["max"]):
        rank = min(rank, LEVELS.index("bon"))
    return LEVELS[rank]


@functools.cache
def formats() -> dict[str, dict]:
    with open(os.path.join(os.path.dirname(__file__), "data", "formats.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


@functools.cache
def _licences_with_uri() -> frozenset:
    return frozenset(entry["value"] for entry in vocabularies.get("licences") if entry.get("uri"))


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_filled(v) for v in value)
    return value not in (None, "") and not (isinstance(value, str) and not value.strip())


def _format(resource: dict) -> str:
    return (resource.get("format") or "").strip().upper().lstrip(".")


def _share(resources: list[dict], test: Callable[[dict], bool], points: int) -> int:
    if not resources:
        return 0
    return round(points * sum(1 for r in resources if test(r)) / len(resources))


def _link_ok(links: dict, resource: dict) -> bool:
    result = links.get(resource.get("id")) or links.get(resource.get("url"))
    return bool(result and result.get("ok"))


def _is_download(resource: dict) -> bool:
    return resource.get("url_type") == "upload" or _filled(resource.get("download_url"))


def _data_resources(dataset: dict) -> list[dict]:
    resources = dataset.get("resources") or []
    data = [r for r in resources if (r.get("resource_type") or "donnees") == "donnees"]
    return data


def is_late(dataset: dict, now: datetime.datetime) -> Optional[bool]:
    """Whether the dataset was last modified longer ago than its update frequency allows (None: no period)."""
    days = FREQUENCY_DAYS.get(dataset.get("update_frequency") or "")
    modified = dataset.get("metadata_modified")
    if days is None or not modified:
        return None
    try:
        when = datetime.datetime.fromisoformat(str(modified).replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return (now - when).days > days


def score(dataset: dict, links: Optional[dict] = None, validation: str = "not_checked",
          now: Optional[datetime.datetime] = None) -> Score:
    """Score ``dataset`` (a package dict).

    :param links: recorded link checks by resource id (or URL): ``{"ok": bool, ...}``
    :param validation: the dataset's aggregated validation status
    :param now: the time freshness is measured at (default: now, UTC)
    """
    links = links or {}
    now = now or datetime.datetime.now(datetime.timezone.utc)
    resources = dataset.get("resources") or []
    result = Score(validation=validation)
    result.checks += _findability(dataset)
    result.checks += _accessibility(resources, links)
    result.checks += _interoperability(dataset, resources)
    result.checks += _reusability(dataset)
    result.checks += _contextuality(dataset, resources)
    result.checks += _quebec(dataset, resources, now)
    return result


def _full(condition: bool, points: int) -> int:
    return points if condition else 0


def _findability(dataset: dict) -> list[Check]:
    return [
        Check("findability", "keywords", _full(_filled(dataset.get("keywords")) or _filled(dataset.get("tags")), 30),
              30, _("Keywords"), _("Add keywords that people would search for.")),
        Check("findability", "categories",
              _full(_filled(dataset.get("categories")) or _filled(dataset.get("groups")), 30),
              30, _("Categories"), _("Choose at least one category.")),
        Check("findability", "spatial", _full(_filled(dataset.get("spatial")), 20), 20,
              _("Geographic coverage"), _("Give the geographic coverage of the data.")),
        Check("findability", "temporal",
              _full(_filled(dataset.get("temporal_start")) or _filled(dataset.get("temporal_end")), 20), 20,
              _("Temporal coverage"), _("Give the period the data covers.")),
    ]


def _accessibility(resources: list[dict], links: dict) -> list[Check]:
    downloads = [r for r in resources if _is_download(r)]
    return [
        Check("accessibility", "access_url", _share(resources, lambda r: _link_ok(links, r), 50), 50,
              _("Resource URLs answer"),
              _("Fix or replace the resource URLs that do not answer (see the link check).")),
        Check("accessibility", "download_url", _share(resources, _is_download, 20), 20,
              _("Download URLs"), _("Upload the files, or give a direct download URL for each resource.")),
        Check("accessibility", "download_url_works",
              _share(downloads, lambda r: _link_ok(links, r), 30) if downloads else 0, 30,
              _("Download URLs answer"), _("Make sure the download URLs give the file.")),
    ]


def _interoperability(dataset: dict, resources: list[dict]) -> list[Check]:
    known = formats()
    dcat_ap = (_filled(dataset.get("title")) and _filled(dataset.get("notes")) and bool(resources)
               and all(_filled(r.get("url")) for r in resources))
    return [
        Check("interoperability", "format", _share(resources, lambda r: bool(_format(r)), 20), 20,
              _("Format"), _("Give the format of every resource.")),
        Check("interoperability", "media_type",
              _share(resources, lambda r: _filled(r.get("mimetype")) or _format(r) in known, 10), 10,
              _("Media type"), _("Use a format with a known media type (CSV, JSON, GeoJSON...).")),
        Check("interoperability", "format_vocabulary", _share(resources, lambda r: _format(r) in known, 10), 10,
              _("Format from a vocabulary"), _("Write the format as a standard name (CSV, GeoJSON, XLSX...).")),
        Check("interoperability", "non_proprietary",
              _share(resources, lambda r: known.get(_format(r), {}).get("non_proprietary", False), 20), 20,
              _("Non-proprietary formats"), _("Offer the data in an open format such as CSV or GeoJSON.")),
        Check("interoperability", "machine_readable",
              _share(resources, lambda r: known.get(_format(r), {}).get("machine_readable", False), 20), 20,
              _("Machine-readable formats"), _("Offer the data in a machine-readable format, not only PDF or HTML.")),
        Check("interoperability", "dcat_ap", _full(dcat_ap, 30), 30, _("DCAT-AP mandatory properties"),
              _("Give a title, a description and at least one resource with a URL.")),
    ]


def _reusability(dataset: dict) -> list[Check]:
    licence = dataset.get("license_id")
    public = not dataset.get("private")
    rights = dataset.get("access_rights")
    return [
        Check("reusability", "licence", _full(_filled(licence), 20), 20, _("Licence"), _("Choose a licence.")),
        Check("reusability", "licence_vocabulary", _full(licence in _licences_with_uri(), 10), 10,
              _("Licence from a vocabulary"), _("Choose one of the portal's licences.")),
        Check("reusability", "access_rights", _full(_filled(rights) or public, 10), 10,
              _("Access rights"), _("State who may access the data.")),
        Check("reusability", "access_rights_vocabulary",
              _full(rights == PUBLIC_ACCESS_RIGHTS or (not _filled(rights) and public), 5), 5,
              _("Access rights from a vocabulary"), _("Make the dataset public.")),
        Check("reusability", "contact_point",
              _full(_filled(dataset.get("author_email")) or _filled(dataset.get("maintainer_email")), 20), 20,
              _("Contact point"), _("Give a contact email address.")),
        Check("reusability", "publisher", _full(_filled(dataset.get("owner_org")), 10), 10,
              _("Publisher"), _("Publish the dataset under an organization.")),
    ]


def _contextuality(dataset: dict, resources: list[dict]) -> list[Check]:
    return [
        Check("contextuality", "rights",
              _full(_filled(dataset.get("rights")) or any(_filled(r.get("rights")) for r in resources), 5), 5,
              _("Rights statement"), _("Add a rights statement (who holds the rights, how to cite).")),
        Check("contextuality", "byte_size",
              _share(resources, lambda r: _filled(r.get("size")) or _filled(r.get("taille_entier")), 5), 5,
              _("File size"), _("Give the size of each file (uploads get it automatically).")),
        Check("contextuality", "issued", _full(_filled(dataset.get("metadata_created")), 5), 5,
              _("Publication date"), _("The publication date is set when the dataset is created.")),
        Check("contextuality", "modified", _full(_filled(dataset.get("metadata_modified")), 5), 5,
              _("Modification date"), _("The modification date is set when the dataset is saved.")),
    ]


def _quebec(dataset: dict, resources: list[dict], now: datetime.datetime) -> list[Check]:
    bilingual = all(isinstance(dataset.get(name), dict)
                    and all(_filled(dataset[name].get(language)) for language in ("fr", "en"))
                    for name in ("title_translated", "notes_translated"))
    data = _data_resources(dataset)
    documented = any((r.get("resource_type") == "documentation") for r in resources)
    late = is_late(dataset, now)
    return [
        Check("quebec", "both_languages", _full(bilingual, 20), 20, _("French and English"),
              _("Fill the title and the description in French and in English.")),
        Check("quebec", "compliance",
              _share(data, lambda r: all(r.get(name) in COMPLIANCE_ANSWERS for name in COMPLIANCE_FIELDS), 20), 20,
              _("Guideline answers"), _("Answer the nine guideline questions of every data resource.")),
        Check("quebec", "data_dictionary",
              20 if documented else _share(data, lambda r: _filled(r.get("data_dictionary")), 20), 20,
              _("Data dictionary"), _("Describe the fields of the data, or add a documentation resource.")),
        Check("quebec", "freshness", _full(late is not True and _filled(dataset.get("update_frequency")), 20), 20,
              _("Up to date"),
              _("Update the data as often as the declared update frequency, or correct the frequency.")),
    ]
