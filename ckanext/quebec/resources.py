"""Where the suite's packaged data lives: schemas, vocabularies, catalogues.

The repository keeps ``schemas/`` and ``i18n/`` at its root; setup.py ships
them as ``ckanext.quebec.schemas`` and ``ckanext.quebec.i18n``, so the same
lookups work from a checkout, an editable install and a wheel.
"""
from __future__ import annotations

import importlib.resources
import os

TRANSLATION_DOMAIN = "ckanext-quebec"


def package_path(package: str) -> str:
    """The filesystem folder of a data package of the suite."""
    return os.fspath(importlib.resources.files(package))


def i18n_directory() -> str:
    return package_path("ckanext.quebec.i18n")


def schemas_directory() -> str:
    return package_path("ckanext.quebec.schemas")
