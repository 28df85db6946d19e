"""Template helpers of quebec_dcat: the schema.org JSON-LD of dataset pages."""
from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from ckanext.dcat.processors import RDFSerializer

from . import config, profiles

# Characters that could end the <script> element or open a comment inside it.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


def quebec_dcat_structured_data(dataset_dict: dict[str, Any]) -> Markup:
    """The dataset as schema.org JSON-LD, safe to put inside a <script> element."""
    # partners_of reads the publisher as the database has it now (ckanext-dcat's
    # organization cache would otherwise keep what this process saw first).
    with profiles.partners_of([dataset_dict]):
        text = _serializer().serialize_dataset(dataset_dict, _format="jsonld")
    text = json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True)
    for character, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(character, escape)
    return Markup(text)


def _serializer() -> RDFSerializer:
    """A serializer of the configured structured-data profiles (entry points)."""
    return RDFSerializer(profiles=config.structured_data_profiles())


def get_helpers() -> dict[str, Any]:
    return {"quebec_dcat_structured_data": quebec_dcat_structured_data}
