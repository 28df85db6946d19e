"""Template helpers of the quebec_quality plugin."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from .indexing import LEVEL_LABELS


def quebec_quality_level_label(level: Optional[str]) -> str:
    """The translated name of a level (excellent, bon, suffisant, faible)."""
    return tk._(LEVEL_LABELS[level]) if level in LEVEL_LABELS else tk._("Not assessed")


def quebec_quality_text(value: Any) -> str:
    """A {"fr", "en"} message in the visitor's language."""
    if isinstance(value, dict):
        language = (tk.h.lang() or "fr")[:2]
        return value.get(language) or value.get("fr") or value.get("en") or ""
    return value or ""


def _(message: str) -> str:
    return message


VALIDATION_LABELS = {"valid": _("Valid"), "invalid": _("Invalid"), "error": _("Cannot validate"),
                     "not_checked": _("Not checked")}


def quebec_quality_validation_label(status: Optional[str]) -> str:
    """The translated name of a validation status."""
    return tk._(VALIDATION_LABELS.get(status or "not_checked", VALIDATION_LABELS["not_checked"]))


def get_helpers() -> dict:
    return {"quebec_quality_level_label": quebec_quality_level_label,
            "quebec_quality_text": quebec_quality_text,
            "quebec_quality_validation_label": quebec_quality_validation_label}
