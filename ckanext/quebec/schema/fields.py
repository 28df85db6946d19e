"""Field lists of the dataset schema, read from ``schemas/dataset.yaml`` and ``schemas/presets.yaml``.

Code that needs "the bilingual fields" or "the guideline answers" asks here
instead of listing them, so a field added to the schema is picked up
everywhere. The files are read as they are (no scheming needed), so pure
code (the quality score, the bench) can use them without a CKAN app.
"""
from __future__ import annotations

import functools
import os
from typing import Any

import yaml

from ckanext.quebec import resources

COMPLIANCE_PRESET = "quebec_compliance"
TRANSLATED_OUTPUT = "quebec_translated_output"


@functools.cache
def _read(name: str) -> dict[str, Any]:
    with open(os.path.join(resources.schemas_directory(), name), encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def dataset_schema() -> dict[str, Any]:
    """``schemas/dataset.yaml`` as parsed (cached: callers must not change it)."""
    return _read("dataset.yaml")


def preset(name: str) -> dict[str, Any]:
    """The ``values`` of preset ``name`` of ``schemas/presets.yaml``.

    :raises KeyError: no preset has that name.
    """
    for entry in _read("presets.yaml")["presets"]:
        if entry["preset_name"] == name:
            return entry["values"]
    raise KeyError(name)


@functools.cache
def translated_fields() -> tuple[str, ...]:
    """The bilingual dataset fields (stored as JSON ``{"fr": ..., "en": ...}``), in the schema's order."""
    return tuple(field["field_name"] for field in dataset_schema()["dataset_fields"]
                 if field.get("preset") and TRANSLATED_OUTPUT
                 in preset(field["preset"]).get("output_validators", "").split())


@functools.cache
def compliance_fields() -> tuple[dict[str, Any], ...]:
    """The resource fields holding a guideline answer (``conformite_*``), in the schema's order."""
    return tuple(field for field in dataset_schema()["resource_fields"]
                 if field.get("preset") == COMPLIANCE_PRESET)


@functools.cache
def compliance_answers() -> tuple[str, ...]:
    """The answers a guideline field accepts (``oui``, ``non``, ``n/a``)."""
    return tuple(choice["value"] for choice in preset(COMPLIANCE_PRESET)["choices"])
