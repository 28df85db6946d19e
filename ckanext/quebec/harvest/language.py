"""The portal's default language, for what harvesting reads without a visitor; msgids translated later.

Harvest jobs run in consumer processes, without a request (CKAN's commands give
them none, so ``toolkit._`` leaves messages in English): a report read there (the
notification e-mails ckanext-harvest sends when a job ends) is in the portal's
default language, through the suite's catalogue and then CKAN's.
"""
from __future__ import annotations

import functools
import os
from typing import Callable

import ckan
import ckan.plugins.toolkit as tk
from babel.support import Translations

from ckanext.quebec import resources


@functools.lru_cache(maxsize=8)
def catalogue(locale: str) -> Translations:
    """The suite's catalogue in ``locale``, falling back on CKAN's."""
    suite = Translations.load(resources.i18n_directory(), [locale], resources.TRANSLATION_DOMAIN)
    suite.add_fallback(Translations.load(os.path.join(os.path.dirname(ckan.__file__), "i18n"),
                                         [locale], "ckan"))
    return suite


def portal_gettext() -> Callable[[str], str]:
    """The suite's gettext (then CKAN's) in the portal's default language, with or without a request."""
    return catalogue(tk.config.get("ckan.locale_default")).gettext


def mark(msgid: str) -> str:
    """Marks a msgid for extraction (import it as ``_``); it is translated when the report is read."""
    return msgid
