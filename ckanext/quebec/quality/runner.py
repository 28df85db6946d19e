"""Running the checks of a dataset: validate and link-check what changed, score, record, re-index."""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
from typing import Iterable, Optional

import ckan.plugins.toolkit as tk

from . import config, linkcheck, reference, score as scoring, store, validation
from .messages import render

log = logging.getLogger(__name__)

# Resource fields that change what the validator reads.
FINGERPRINT_FIELDS = ("url", "url_type", "format", "last_modified", "size", "schema", "data_dictionary")


def fingerprint(resource: dict) -> str:
    """A digest of what a resource's checks depend on: the same digest, no need to check again."""
    values = {name: resource.get(name) for name in FINGERPRINT_FIELDS}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:32]


def aggregate(statuses: Iterable[str]) -> str:
    """A dataset's validation status from its resources': invalid > error > valid > not_checked."""
    statuses = set(statuses)
    for status in ("invalid", "error", "valid"):
        if status in statuses:
            return status
    return "not_checked"


def _package(package_id: str) -> dict:
    return tk.get_action("package_show")({"ignore_auth": True, "for_view": False, "use_cache": False},
                                         {"id": package_id})


def run(package_id: str, resource_ids: Optional[list[str]] = None, force: bool = False,
        validate: bool = True, check_links: bool = True, reindex: bool = True) -> dict:
    """Check a dataset and record the results; returns the dataset's quality summary.

    Resources whose fingerprint is unchanged keep their recorded validation
    (and their link check while younger than ``link_check_days``), unless
    ``force``; ``resource_ids`` limits the checks to those resources.
    """
    dataset = _package(package_id)
    package_id = dataset["id"]
    now = datetime.datetime.now(datetime.timezone.utc)
    checks = store.current_checks(package_id)
    options = config.validation_options()
    for resource in dataset.get("resources") or []:
        if resource_ids and resource["id"] not in resource_ids:
            continue
        digest = fingerprint(resource)
        current = checks.get(resource["id"], {})
        if validate and (force or (current.get("validation") or {}).get("fingerprint") != digest):
            report = validation.validate_resource(resource, options).as_dict()
            store.record_check(resource["id"], package_id, "validation", report["status"], digest, report)
        link = current.get("link") or {}
        if check_links and (force or link.get("fingerprint") != digest or not linkcheck.fresh_enough(
                link.get("created"), config.link_check_days(), now)):
            result = linkcheck.check_resource(resource, options.limits)
            store.record_check(resource["id"], package_id, "link", "ok" if result["ok"] else "broken",
                               digest, result)
    store.commit()
    summary = rescore(dataset, now)
    if reindex:
        _reindex(package_id)
    return summary


def rescore(dataset: dict, now: Optional[datetime.datetime] = None) -> dict:
    """Score a dataset from its recorded checks and record the result (no file is read)."""
    checks = store.current_checks(dataset["id"])
    resource_ids = {r["id"] for r in dataset.get("resources") or []}
    links = {rid: row["link"]["result"] for rid, row in checks.items() if rid in resource_ids and "link" in row}
    status = aggregate(row["validation"]["status"] for rid, row in checks.items()
                       if rid in resource_ids and "validation" in row)
    errors = sum((row["validation"]["result"].get("error_count") or 0) for rid, row in checks.items()
                 if rid in resource_ids and "validation" in row)
    result = scoring.score(dataset, links, status, now).as_dict()
    result["validation"] = {"status": status, "errors": errors}
    result["criteria"] = reference.evaluate(result, checks, dataset.get("resources") or [])
    store.record_dataset(dataset["id"], result["score"], result["level"], status, result)
    store.commit()
    return result


def _reindex(package_id: str) -> None:
    from ckan.lib.search import rebuild

    try:
        rebuild(package_id)
    except Exception:  # the index is rebuilt again on the next change; a result is never lost for it
        log.exception("quebec_quality: could not re-index %s", package_id)


def summary(package_id: str) -> Optional[dict]:
    """The ``quebec_quality`` dict of package_show (DCAT contract), or None when never computed."""
    current = store.current_dataset(package_id)
    if current is None:
        return None
    result = current["result"]
    return {
        "score": result["score"], "max_score": result["max_score"], "level": result["level"],
        "dimensions": result["dimensions"], "validation": result["validation"],
        "reference": store.current_reference(package_id), "computed": current["created"],
    }


def detailed(package_id: str, dataset: dict, history: bool = False) -> dict:
    """Everything quebec_quality_show returns: summary, checks with fr/en hints, reports, criteria."""
    from .messages import rendered_report

    current = store.current_dataset(package_id)
    checks = store.current_checks(package_id)
    result = current["result"] if current else None
    resources = []
    for resource in dataset.get("resources") or []:
        row = checks.get(resource["id"], {})
        validation_row, link_row = row.get("validation"), row.get("link")
        link = dict(link_row["result"], checked=link_row["created"]) if link_row else None
        if link and link.get("error"):
            link["error"] = dict(link["error"], message=render(link["error"]["msgid"], link["error"]["params"]))
        resources.append({
            "id": resource["id"], "name": resource.get("name"),
            "validation": dict(rendered_report(validation_row["result"]), checked=validation_row["created"])
            if validation_row else None,
            "link": link,
        })
    output = summary(package_id) or {"score": None, "max_score": scoring.MQA_MAX, "level": None,
                                     "dimensions": None, "validation": {"status": "not_checked", "errors": 0},
                                     "reference": store.current_reference(package_id), "computed": None}
    output["checks"] = [dict(check, label=render(check["label"]), hint=render(check["hint"]))
                        for check in (result or {}).get("checks", [])]
    output["criteria"] = [dict(c, label=render(c["label"]), requirement=render(c["requirement"]))
                          for c in (result or {}).get("criteria", [])]
    output["resources"] = resources
    if history:
        output["history"] = store.dataset_history(package_id)
        output["reference_history"] = store.reference_history(package_id)
    return output
