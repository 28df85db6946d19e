"""Template helpers of the quebec_participation plugin."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.schema import bilingual, vocabularies

from . import auth, store


def language() -> str:
    """The interface language, fr or en."""
    try:
        found = (tk.h.lang() or vocabularies.DEFAULT_LANGUAGE).split("_")[0]
    except RuntimeError:  # outside a request (an action called by a job or the CLI)
        found = vocabularies.DEFAULT_LANGUAGE
    return found if found in vocabularies.LANGUAGES else vocabularies.DEFAULT_LANGUAGE


def quebec_participation_text(texts: Any) -> str:
    """The text of the interface language, else the other one."""
    if not isinstance(texts, dict):
        return ""
    wanted = language()
    return texts.get(wanted) or texts.get(bilingual.MACHINE_TAGS[wanted]) or bilingual.default_text(texts)


def quebec_participation_label(vocabulary: str, value: Optional[str]) -> str:
    """The label of ``value`` in the interface language (the value itself when unknown)."""
    return (vocabularies.label(vocabulary, value, language()) if value else None) or (value or "")


def quebec_participation_choices(vocabulary: str) -> list[tuple[str, str]]:
    """(value, label) pairs of a vocabulary in the interface language."""
    return [(entry["value"], entry["label"][language()]) for entry in vocabularies.get(vocabulary)]


def quebec_participation_may_answer(suggestion: dict) -> bool:
    """Whether the logged-in user may change the suggestion's status."""
    return auth.answers_for(tk.current_user.name if tk.current_user else None, suggestion.get("owner_org"))


def quebec_participation_language() -> str:
    return language()


def quebec_participation_dataset(dataset_id: str) -> Optional[dict[str, str]]:
    """The name and title of a public, active dataset answering a suggestion; None otherwise."""
    package = model.Package.get(dataset_id)
    if package is None or package.state != "active" or package.private:
        return None
    return {"name": package.name, "title": package.title or package.name}


def quebec_participation_answered(dataset_id: str) -> list[dict]:
    """The suggestions a dataset answers: id and title by language."""
    return store.answered_by(dataset_id) if dataset_id else []


def get_helpers() -> dict:
    return {name: function for name, function in globals().items()
            if name.startswith("quebec_participation_") and callable(function)}
