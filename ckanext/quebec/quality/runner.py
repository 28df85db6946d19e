"""Running the checks of a dataset: validate and link-check what changed, score, record, re-index."""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
from typing import Iterable, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.held import held, is_held

from . import config, isolated, jobs, linkcheck, reference, score as scoring, store, validation
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


class TooLong(Exception):
    """A check asked during a request outlasted ``sync_time_limit``; nothing was recorded."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the check took longer than {seconds:g} s")
        self.seconds = seconds


def run(package_id: str, resource_ids: Optional[list[str]] = None, force: bool = False,
        validate: bool = True, check_links: bool = True, reindex: bool = True, waiting: bool = False) -> dict:
    """Check a dataset and record the results; returns the dataset's quality summary.

    Resources whose fingerprint is unchanged keep their recorded validation
    (and their link check while younger than ``link_check_days``), unless
    ``force``; ``resource_ids`` limits the checks to those resources.

    Files are validated in a child process within a time budget. ``waiting``
    (a request waits for the answer): ``sync_time_limit``, past which
    ``TooLong`` is raised and nothing is recorded. Else (a job, the command
    line): ``validation_time_limit``; a file whose check alone outlasts it is
    recorded as timed out and not checked again, even with ``force``, until
    it changes or the limit is raised; files the budget did not reach go to a
    follow-up job.
    """
    dataset = _package(package_id)
    package_id = dataset["id"]
    now = datetime.datetime.now(datetime.timezone.utc)
    checks = store.current_checks(package_id)
    options = config.validation_options()
    budget = _Budget(config.sync_time_limit() if waiting else config.validation_time_limit(), waiting)
    records, postponed = [], []
    for resource in dataset.get("resources") or []:
        if resource_ids and resource["id"] not in resource_ids:
            continue
        digest = fingerprint(resource)
        current = checks.get(resource["id"], {})
        if validate and _needs_validation(current.get("validation"), digest, force, budget.seconds):
            report = None if postponed else budget.validate(resource, options)
            if report is None:
                postponed.append(resource["id"])
            else:
                records.append((resource["id"], "validation", report["status"], digest, report))
        link = current.get("link") or {}
        if check_links and (force or link.get("fingerprint") != digest or not linkcheck.fresh_enough(
                link.get("created"), config.link_check_days(), now)):
            result = linkcheck.check_resource(resource, options.limits)
            records.append((resource["id"], "link", "ok" if result["ok"] else "broken", digest, result))
    for resource_id, kind, status, digest, result in records:
        store.record_check(resource_id, package_id, kind, status, digest, result)
    store.commit()
    if postponed:
        jobs.enqueue(package_id, postponed, force=force)
    # Scored and indexed as the dataset is once its checks are done, held
    # until the index write: an edit committed during the checks is read,
    # one that starts meanwhile waits (ckanext/quebec/held.py).
    with held([package_id]):
        summary = rescore(_package(package_id), now, commit=False)
        if reindex:
            _reindex(package_id)
    return summary


def _needs_validation(row: Optional[dict], digest: str, force: bool, seconds: float) -> bool:
    """Whether a resource is validated again: changed, forced, or timed out with less time than it has now."""
    if not row or row["fingerprint"] != digest:
        return True
    reason = row["result"].get("reason") or {}
    if reason.get("code") == "timed-out":
        return (reason.get("params") or {}).get("seconds", 0) < seconds
    return force


class _Budget:
    """The time the validations of one run share."""

    def __init__(self, seconds: float, waiting: bool) -> None:
        self.seconds, self.waiting, self.spent = seconds, waiting, 0.0

    def validate(self, resource: dict, options: validation.Options) -> Optional[dict]:
        """The resource's report, or None when an earlier file left too little time (it is checked later)."""
        started, whole = time.monotonic(), not self.spent
        try:
            if self.spent >= self.seconds:
                raise isolated.TimedOut()
            return isolated.validate(resource, options, self.seconds - self.spent)
        except isolated.TimedOut:
            if self.waiting:
                raise TooLong(self.seconds)
            return isolated.timed_out(resource, self.seconds) if whole else None
        finally:
            self.spent += time.monotonic() - started


def rescore(dataset: dict, now: Optional[datetime.datetime] = None, commit: bool = True) -> dict:
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
    if commit:
        store.commit()
    return result


def _reindex(package_id: str) -> None:
    from ckanext.quebec.compat_ckan import reindex

    try:
        if is_held(model.Session()):
            # A failed write leaves the held transaction, and the score in it, to commit.
            with model.Session.begin_nested():
                reindex(package_id)
        else:
            reindex(package_id)
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
