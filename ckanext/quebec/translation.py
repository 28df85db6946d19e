"""One translation domain, ``ckanext-quebec``, for every plugin of the suite."""
from __future__ import annotations

import os

import ckan.plugins as p

from . import resources


class SuiteTranslation(p.SingletonPlugin):
    """ITranslation for a quebec_* plugin: the suite's catalogue in i18n/."""

    p.implements(p.ITranslation)

    def i18n_directory(self) -> str:
        return resources.i18n_directory()

    def i18n_domain(self) -> str:
        return resources.TRANSLATION_DOMAIN

    def i18n_locales(self) -> list[str]:
        directory = self.i18n_directory()
        return sorted(
            entry for entry in os.listdir(directory)
            if os.path.isdir(os.path.join(directory, entry, "LC_MESSAGES"))
        )
