"""Harvest sources in the index as CKAN indexes any dataset, with their status from the moment they exist.

On CKAN 2.12 the index keeps each dataset as its type's show schema gives it,
and package_show answers from that copy. ckanext-harvest 1.6.3's
``harvest_source_reindex`` (run when a job ends or a source is cleared) stores
the source's unvalidated dictionary as that copy instead: until the source is
saved again, package_show has no ``source_type``, ``frequency`` or ``config``
and the next process to read it fails (`ckan harvester run-test`: KeyError
'source_type'). The chained action indexes the source the way CKAN does.

package_create shows a new dataset before its commit, when ckanext-harvest
has added the source's row but not flushed it: its after_dataset_show finds
no source and gives no ``status`` (`ckan harvester source create` fails on it).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import HarvestSource
from ckanext.harvest.utils import DATASET_TYPE_NAME

from ckanext.quebec.compat_ckan import BOTH_SCHEMAS, index_dataset, show_context
from ckanext.quebec.held import held


@tk.chained_action
@tk.side_effect_free
def harvest_source_reindex(original: Any, context: dict, data_dict: dict) -> Any:
    """Reindex one harvest source (ckanext-harvest's action, indexing as CKAN 2.12 does).

    :param id: the id or name of the harvest source
    :type id: string
    :rtype: bool
    """
    source_id = tk.get_or_bust(data_dict, "id")
    # Those who may edit the source (ckanext-harvest's own auth function, which its action never asks).
    tk.check_access("harvest_source_reindex", context, data_dict)
    # Held from its read to its index write (held.py): a job that ends while
    # the source is edited never puts the copy it read back in the index.
    with held([source_id]):
        if not BOTH_SCHEMAS:
            return original(context, data_dict)
        # What the original leaves in the caller's context, which its callers go on using.
        context.pop("extras_as_string", None)
        context.update({"ignore_auth": True, "validate": False})
        index_dataset(show_context(), source_id, context.get("defer_commit", False))
        return True


def add_pending_status(context: dict, dataset: dict[str, Any]) -> None:
    """The status of a source created in this transaction, once its row is flushed."""
    if dataset.get("type") != DATASET_TYPE_NAME or dataset.get("status"):
        return
    if not any(isinstance(obj, HarvestSource) and obj.id == dataset.get("id")
               for obj in model.Session.new):
        return
    model.Session.flush()
    dataset["status"] = tk.get_action("harvest_source_show_status")(context, {"id": dataset["id"]})


def get_actions() -> dict[str, Any]:
    return {"harvest_source_reindex": harvest_source_reindex}
