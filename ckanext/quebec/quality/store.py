"""The quality tables: recording results with their history and reading the current ones (bound parameters only)."""
from __future__ import annotations

import datetime
import json
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model


def _execute(statement: str, **params: Any):
    return model.Session.execute(sa.text(statement), params)


def record_check(resource_id: str, package_id: str, kind: str, status: str,
                 fingerprint: Optional[str], result: dict) -> None:
    _execute("INSERT INTO quebec_quality_resource_check "
             "(resource_id, package_id, kind, status, fingerprint, result) "
             "VALUES (:resource_id, :package_id, :kind, :status, :fingerprint, CAST(:result AS jsonb))",
             resource_id=resource_id, package_id=package_id, kind=kind, status=status,
             fingerprint=fingerprint, result=json.dumps(result, default=str))


def current_checks(package_id: str) -> dict[str, dict[str, dict]]:
    """{resource id: {"validation": row, "link": row}}, the newest row of each kind."""
    rows = _execute(
        "SELECT DISTINCT ON (resource_id, kind) resource_id, kind, status, fingerprint, result, created "
        "FROM quebec_quality_resource_check WHERE package_id = :package_id "
        "ORDER BY resource_id, kind, created DESC, id DESC", package_id=package_id).mappings()
    checks: dict[str, dict[str, dict]] = {}
    for row in rows:
        checks.setdefault(row["resource_id"], {})[row["kind"]] = {
            "status": row["status"], "fingerprint": row["fingerprint"], "result": row["result"],
            "created": row["created"].isoformat()}
    return checks


def record_dataset(package_id: str, score: int, level: str, validation: str, result: dict) -> None:
    _execute("INSERT INTO quebec_quality_dataset (package_id, score, level, validation, result) "
             "VALUES (:package_id, :score, :level, :validation, CAST(:result AS jsonb))",
             package_id=package_id, score=score, level=level, validation=validation,
             result=json.dumps(result, default=str))


def current_dataset(package_id: str) -> Optional[dict]:
    row = _execute("SELECT score, level, validation, result, created FROM quebec_quality_dataset "
                   "WHERE package_id = :package_id ORDER BY created DESC, id DESC LIMIT 1",
                   package_id=package_id).mappings().first()
    return dict(row, created=row["created"].isoformat()) if row else None


def dataset_history(package_id: str, limit: int = 50) -> list[dict]:
    rows = _execute("SELECT score, level, validation, created FROM quebec_quality_dataset "
                    "WHERE package_id = :package_id ORDER BY created DESC, id DESC LIMIT :limit",
                    package_id=package_id, limit=limit).mappings()
    return [dict(row, created=row["created"].isoformat()) for row in rows]


def record_reference(package_id: str, granted: bool, mandate: Optional[str],
                     date: Optional[datetime.date], user_id: Optional[str]) -> None:
    _execute("INSERT INTO quebec_quality_reference (package_id, granted, mandate, date, user_id) "
             "VALUES (:package_id, :granted, :mandate, :date, :user_id)",
             package_id=package_id, granted=granted, mandate=mandate, date=date, user_id=user_id)


def current_reference(package_id: str) -> Optional[dict]:
    """The designation in force: {"granted": True, "mandate", "date"}, or None when never granted or withdrawn."""
    row = _execute("SELECT granted, mandate, date FROM quebec_quality_reference "
                   "WHERE package_id = :package_id ORDER BY created DESC, id DESC LIMIT 1",
                   package_id=package_id).mappings().first()
    if not row or not row["granted"]:
        return None
    return {"granted": True, "mandate": row["mandate"], "date": row["date"].isoformat()}


def reference_history(package_id: str) -> list[dict]:
    rows = _execute("SELECT granted, mandate, date, user_id, created FROM quebec_quality_reference "
                    "WHERE package_id = :package_id ORDER BY created DESC, id DESC",
                    package_id=package_id).mappings()
    return [dict(row, date=row["date"].isoformat() if row["date"] else None,
                 created=row["created"].isoformat()) for row in rows]


def commit() -> None:
    model.Session.commit()
