"""Drift between CKAN's datasets and the search index: what a rebuild would repair."""
from __future__ import annotations

from dataclasses import dataclass, field

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model import ensure_engine

# CKAN writes metadata_modified to the index as it reads it; a second covers
# the rounding of any other writer without hiding a real edit.
_TOLERANCE_SECONDS = 1


@dataclass
class Drift:
    """Dataset ids per kind of disagreement between the database and the index."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.extra)


def find_drift() -> Drift:
    """Compare every dataset of the database with its document in this site's index.

    missing: a dataset the index should hold and does not; stale: a document
    older than its dataset, or with another state or visibility; extra: a
    document whose dataset is gone (or deleted, when CKAN removes those).
    """
    site_id = tk.config.get("ckan.site_id")
    remove_deleted = tk.asbool(tk.config.get("ckan.search.remove_deleted_packages"))
    expected = "p.state IS DISTINCT FROM 'deleted'" if remove_deleted else "TRUE"
    documents = ("SELECT d.id, d.metadata_modified, d.signature FROM quebec_search_document d"
                 " WHERE d.site_id = :site_id")
    params = {"site_id": site_id, "tolerance": _TOLERANCE_SECONDS}
    with ensure_engine().connect() as connection:
        missing = connection.execute(sa.text(
            f"SELECT p.id FROM package p WHERE {expected} AND NOT EXISTS"
            f" (SELECT 1 FROM quebec_search_document d"
            f"  WHERE d.id = p.id AND d.site_id = :site_id) ORDER BY p.id"), params).scalars()
        stale = connection.execute(sa.text(
            f"SELECT p.id FROM package p JOIN ({documents}) d ON d.id = p.id"
            f" WHERE {expected} AND ("
            f"  d.metadata_modified IS NULL"
            f"  OR abs(extract(epoch FROM d.metadata_modified"
            f"          - (p.metadata_modified AT TIME ZONE 'UTC'))) > :tolerance"
            f"  OR NOT d.signature @> jsonb_build_object('state', jsonb_build_array(p.state))"
            f"  OR NOT d.signature @> jsonb_build_object('capacity', jsonb_build_array("
            f"       CASE WHEN p.private THEN 'private' ELSE 'public' END)))"
            f" ORDER BY p.id"), params).scalars()
        extra = connection.execute(sa.text(
            f"SELECT d.id FROM ({documents}) d LEFT JOIN package p ON p.id = d.id"
            f" WHERE p.id IS NULL OR NOT ({expected}) ORDER BY d.id"), params).scalars()
        return Drift(missing=list(missing), stale=list(stale), extra=list(extra))
