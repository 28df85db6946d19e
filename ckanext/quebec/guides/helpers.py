"""Template helpers of the quebec_guides plugin."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckan import model

from ckanext.quebec.schema import vocabularies

from .auth import may_manage
from .views import language

DATASET_PAGE_GUIDES = 5


def get_helpers() -> dict:
    return {"quebec_guide_text": quebec_guide_text, "quebec_guide_label": quebec_guide_label,
            "quebec_guides_for_dataset": quebec_guides_for_dataset,
            "quebec_guides_may_manage": quebec_guides_may_manage,
            "quebec_guides_language": language, "quebec_guide_dataset": quebec_guide_dataset,
            "quebec_guide_dataset_names": quebec_guide_dataset_names}


def quebec_guide_text(guide: dict[str, Any], field: str) -> str:
    """A guide's title, summary or body in the page's language, else in French."""
    return guide.get(f"{field}_{language()}") or guide.get(f"{field}_fr") or ""


def quebec_guide_label(vocabulary: str, value: str) -> str:
    """The label of a vocabulary value in the page's language, or the value itself."""
    return vocabularies.label(vocabulary, value, language()) or value


def quebec_guides_for_dataset(dataset_id: str) -> list[dict[str, Any]]:
    """The published guides linked to a dataset or to one of its categories."""
    try:
        return tk.get_action("quebec_guide_search")({"user": tk.g.user}, {
            "dataset": dataset_id, "language": language(), "limit": DATASET_PAGE_GUIDES,
            "sort": "title"})["results"]
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []


def quebec_guides_may_manage() -> bool:
    return may_manage(tk.g.user)


def quebec_guide_dataset(dataset_id: str) -> dict[str, str]:
    """The name and title of a dataset the guide shows (quebec_guide_show lists only visible ones)."""
    dataset = model.Package.get(dataset_id)
    if dataset is None:
        return {"name": dataset_id, "title": dataset_id}
    return {"name": dataset.name, "title": dataset.title or dataset.name}


def quebec_guide_dataset_names(references: list[str]) -> str:
    """Dataset ids or names as the form shows them: names, separated by commas."""
    names = []
    for reference in references or []:
        dataset = model.Package.get(reference)
        names.append(dataset.name if dataset is not None else reference)
    return ", ".join(names)
