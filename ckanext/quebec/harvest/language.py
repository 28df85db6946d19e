"""The language of what harvesting writes: the portal's default one.

Harvest jobs run in consumer processes, without a visitor (CKAN's commands
give them no request, so ``toolkit._`` leaves messages in English): the
reports they write are in the portal's default language, read from the
suite's catalogue directly.
"""
from __future__ import annotations

from typing import Callable

import ckan.plugins.toolkit as tk
from babel.support import Translations

from ckanext.quebec import resources


def portal_gettext() -> Callable[[str], str]:
    """The suite's gettext in the portal's default language, with or without a request."""
    return Translations.load(resources.i18n_directory(), [tk.config.get("ckan.locale_default")],
                             resources.TRANSLATION_DOMAIN).gettext
