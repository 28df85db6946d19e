"""Keeping indexed datasets in step with the organizations and groups they show.

Each indexed dataset carries its organization's and groups' names (searched,
faceted) and their whole dictionaries (package_show answers from the index).
CKAN reindexes a dataset when the dataset changes, not when its organization
or group is renamed or edited, so without this the index keeps the old names.
When a group is deleted CKAN does reindex its datasets, but before flushing
the deletion, so they keep the group too.
"""
from __future__ import annotations

import logging

from ckan import model

from .indexing import index_dataset, show_context

log = logging.getLogger(__name__)


def datasets_of_group(group: model.Group) -> None:
    """Reindex every dataset that belongs to ``group`` (an organization or a group)."""
    # CKAN calls this before its commit, and package_show dictizes through
    # Core selects, which do not autoflush: without this they read the old name.
    model.Session.flush()
    dataset_ids = _dataset_ids(group)
    log.debug("Reindexing %d datasets of %s", len(dataset_ids), group.name)
    for dataset_id in dataset_ids:
        index_dataset(show_context(), dataset_id)


def _dataset_ids(group: model.Group) -> list[str]:
    if group.is_organization:
        query = model.Session.query(model.Package.id).filter(
            model.Package.owner_org == group.id)
    else:
        # Any state: a group being deleted has just marked its members deleted.
        query = model.Session.query(model.Member.table_id).filter(
            model.Member.group_id == group.id,
            model.Member.table_name == "package").distinct()
    return [dataset_id for (dataset_id,) in query]
