"""The seven criteria of Québec's reference open data (identifiant unique ... documentation) on recorded results."""
from __future__ import annotations

from typing import Optional


def _(message: str) -> str:
    return message


CRITERIA = (
    ("identifiant_unique", _("Unique identifier"),
     _("A data file declares a key (Table Schema primaryKey) whose values are unique and never empty.")),
    ("qualite", _("Quality"), _("Every data file validates against its schema and the guidelines.")),
    ("integrite", _("Integrity"), _("Every data file could be read to its end.")),
    ("disponibilite", _("Availability"),
     _("Every resource URL answers and the data is updated as often as declared.")),
    ("interoperabilite", _("Interoperability"),
     _("Every data resource is in an open, machine-readable format and follows the guidelines.")),
    ("metadonnees", _("Metadata"),
     _("The DCAT-AP mandatory properties are given, in French and in English.")),
    ("documentation", _("Documentation"), _("A data dictionary or a documentation resource exists.")),
)


def evaluate(score: dict, checks: dict[str, dict[str, dict]], resources: list[dict]) -> list[dict]:
    """Each criterion: {"name", "label", "requirement", "passed"}, from a score dict and the current checks."""
    by_name = {c["name"]: c for c in score.get("checks") or []}
    data = [r for r in resources if (r.get("resource_type") or "donnees") == "donnees"]
    reports = [checks.get(r["id"], {}).get("validation") for r in data]
    statuses = [report["status"] if report else "not_checked" for report in reports]
    validated = [report["result"] for report in reports if report and report["status"] in ("valid", "invalid")]

    def key_is_sound(report: dict) -> bool:
        return bool(report.get("primary_key")) and report.get("key_ok") is True

    def passed(name: str) -> bool:
        return bool(by_name.get(name, {}).get("passed"))

    results = {
        "identifiant_unique": any(key_is_sound(report) for report in validated),
        "qualite": bool(data) and all(status in ("valid", "not_checked") for status in statuses)
        and "valid" in statuses,
        "integrite": bool(data) and "error" not in statuses and bool(validated),
        "disponibilite": passed("access_url") and passed("freshness"),
        "interoperabilite": passed("non_proprietary") and passed("machine_readable") and passed("compliance"),
        "metadonnees": passed("dcat_ap") and passed("both_languages"),
        "documentation": passed("data_dictionary"),
    }
    return [{"name": name, "label": label, "requirement": requirement, "passed": results[name]}
            for name, label, requirement in CRITERIA]


def failing(criteria: list[dict]) -> list[dict]:
    return [criterion for criterion in criteria if not criterion["passed"]]


def first_failing(criteria: list[dict]) -> Optional[dict]:
    return next(iter(failing(criteria)), None)
