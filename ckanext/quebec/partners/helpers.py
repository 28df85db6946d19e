"""Template helpers of the quebec_partners plugin: vocabulary choices and labels."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.quebec.schema import vocabularies


def _choices(name: str) -> list[dict[str, Any]]:
    return [{"value": entry["value"], "label": entry["label"]}
            for entry in vocabularies.get(name)]


def quebec_partner_type_choices(field: dict) -> list[dict[str, Any]]:
    """Choices of the partner_type field (a scheming ``choices_helper``)."""
    return _choices("partner_types")


def quebec_region_choices(field: dict) -> list[dict[str, Any]]:
    """Choices of the region field (a scheming ``choices_helper``)."""
    return _choices("regions")


def quebec_partner_type_label(value: str, language: Optional[str] = None) -> str:
    """The label of a partner type in the page's language, or the value itself if unknown."""
    return vocabularies.label("partner_types", value, language or tk.h.lang()) or value


def get_helpers() -> dict:
    return {
        "quebec_partner_type_choices": quebec_partner_type_choices,
        "quebec_region_choices": quebec_region_choices,
        "quebec_partner_type_label": quebec_partner_type_label,
    }
