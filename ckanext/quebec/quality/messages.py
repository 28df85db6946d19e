"""Messages recorded by background jobs (msgid and parameters), rendered in French and English when read."""
from __future__ import annotations

import functools
from typing import Any, Optional

from ckanext.quebec import resources

LANGUAGES = ("fr", "en")


@functools.cache
def _catalogue(language: str):
    from babel.support import NullTranslations, Translations

    translations = Translations.load(resources.i18n_directory(), [language], resources.TRANSLATION_DOMAIN)
    return translations if translations else NullTranslations()


def translate(msgid: str, language: str) -> str:
    return _catalogue(language).gettext(msgid)


def render(msgid: Optional[str], params: Optional[dict[str, Any]] = None) -> dict[str, str]:
    """{"fr": ..., "en": ...}: ``msgid`` from the suite's catalogues with ``params`` filled in."""
    if not msgid:
        return {language: "" for language in LANGUAGES}
    rendered = {}
    for language in LANGUAGES:
        text = translate(msgid, language)
        try:
            rendered[language] = text % params if params else text
        except (KeyError, ValueError, TypeError):  # a translation with broken placeholders
            rendered[language] = msgid % params if params else msgid
    return rendered


def rendered_report(report: dict) -> dict:
    """A stored validation report with every error's ``message`` (and the ``reason``) in fr and en."""
    report = dict(report)
    report["errors"] = [dict(error, message=render(error.get("msgid"), error.get("params")))
                        for error in report.get("errors") or []]
    reason = report.get("reason")
    if reason:
        report["reason"] = dict(reason, message=render(reason.get("msgid"), reason.get("params")))
    return report
