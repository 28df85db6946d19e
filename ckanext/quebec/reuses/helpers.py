"""Template helpers of the quebec_reuses plugin."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.guides.views import language
from ckanext.quebec.schema import vocabularies

from .auth import may_review

DATASET_PAGE_REUSES = 6


def get_helpers() -> dict:
    return {"quebec_reuse_text": quebec_reuse_text, "quebec_reuse_type_label": quebec_reuse_type_label,
            "quebec_reuses_for_dataset": quebec_reuses_for_dataset,
            "quebec_reuse_may_review": quebec_reuse_may_review, "quebec_reuse_dataset": quebec_reuse_dataset}


def quebec_reuse_text(reuse: dict[str, Any], field: str) -> str:
    """A reuse's title or description in the page's language, else in French."""
    return reuse.get(f"{field}_{language()}") or reuse.get(f"{field}_fr") or ""


def quebec_reuse_type_label(value: str) -> str:
    return vocabularies.label("reuse_types", value, language()) or value


def quebec_reuses_for_dataset(dataset_id: str) -> list[dict[str, Any]]:
    """The approved reuses of a dataset."""
    try:
        return tk.get_action("quebec_reuse_search")({"user": tk.g.user}, {
            "dataset": dataset_id, "limit": DATASET_PAGE_REUSES})["results"]
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []


def quebec_reuse_may_review(reuse: dict[str, Any]) -> bool:
    return may_review(tk.g.user, reuse)


def quebec_reuse_dataset(dataset_id: str) -> dict[str, str]:
    dataset = model.Package.get(dataset_id)
    if dataset is None:
        return {"name": dataset_id, "title": dataset_id}
    return {"name": dataset.name, "title": dataset.title or dataset.name}
