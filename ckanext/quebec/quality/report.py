"""The options of a resource validation run and the report it gives (frictionless' shape and error names)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ckanext.quebec import tabular
from ckanext.quebec.tabular.duck import MAX_COLUMNS


@dataclass
class Options:
    """Limits of one validation run."""

    limits: tabular.Limits = field(default_factory=tabular.Limits)
    memory_limit: str = "192MB"
    threads: int = 2
    max_errors: int = 200
    max_geojson_bytes: int = 64 << 20
    max_features: int = 200_000
    max_columns: int = MAX_COLUMNS


@dataclass
class Report:
    """A resource's validation report.

    ``status``: ``valid``, ``invalid``, ``error`` (could not validate:
    ``reason``) or ``not_checked`` (not a tabular or geographic format).
    ``errors``: at most ``Options.max_errors`` rows {row, column, error,
    msgid, params}; ``counts``: every error by type, listed or not.
    """

    status: str
    format: Optional[str] = None
    errors: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows: Optional[int] = None
    fields: list[dict] = field(default_factory=list)
    schema_source: Optional[str] = None
    encoding: Optional[str] = None
    delimiter: Optional[str] = None
    reason: Optional[dict] = None
    primary_key: list[str] = field(default_factory=list)
    key_ok: Optional[bool] = None

    @property
    def error_count(self) -> int:
        return sum(self.counts.values())

    def add(self, code: str, msgid: str, row: Optional[int] = None, column: Optional[str] = None,
            count: int = 1, listed: bool = True, limit: int = 200, **params: Any) -> None:
        self.counts[code] = self.counts.get(code, 0) + count
        if listed and len(self.errors) < limit:
            self.errors.append({"row": row, "column": column, "error": code, "msgid": msgid,
                                "params": params})

    def finish(self) -> "Report":
        if self.status not in ("error", "not_checked"):
            self.status = "invalid" if self.counts else "valid"
        return self

    def as_dict(self) -> dict:
        return {"status": self.status, "format": self.format, "error_count": self.error_count,
                "counts": dict(sorted(self.counts.items())), "errors": self.errors, "rows": self.rows,
                "fields": self.fields, "schema_source": self.schema_source, "encoding": self.encoding,
                "delimiter": self.delimiter, "reason": self.reason, "primary_key": self.primary_key,
                "key_ok": self.key_ok}
