"""Template helpers of the quebec_schema plugin: bilingual values in the visitor's language, vocabulary choices."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import jsonvalue, validators, vocabularies


def quebec_vocabulary_choices(field: dict) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the choices of the vocabulary named by ``field['vocabulary']``."""
    return [{"value": entry["value"], "label": entry["label"]}
            for entry in vocabularies.get(field["vocabulary"])]


def interface_language() -> str:
    """The interface language, fr or en (French outside a request)."""
    try:
        language = tk.h.lang() or vocabularies.DEFAULT_LANGUAGE
    except (RuntimeError, AttributeError, TypeError):
        language = vocabularies.DEFAULT_LANGUAGE
    language = language.split("_")[0].split("-")[0].lower()
    return language if language in validators.LANGUAGES else vocabularies.DEFAULT_LANGUAGE


def _as_dict(value: Any) -> dict | None:
    value = jsonvalue.from_json(value, invalid=None)
    return value if isinstance(value, dict) else None


def quebec_translation(value: Any, field_name: str | None = None,
                       language: str | None = None) -> dict[str, Any] | None:
    """Which text of a bilingual value to show, and how.

    :param value: a bilingual value (dict or JSON string), or a dataset or
        resource dict when ``field_name`` is given
    :param field_name: the bilingual field of ``value`` to read
    :param language: the language wanted; the interface's by default
    :returns: ``{"text", "language", "fallback", "machine"}``: the text (a
        string, or a list for keywords), its language, whether it is not in
        the wanted language, whether it is machine translated; None when there
        is no text at all. The order of preference: the wanted language (human,
        then machine translated), then the other one (idem).
    """
    if field_name is not None:
        value = (value or {}).get(field_name)
    texts = _as_dict(value)
    if not texts:
        return None
    wanted = language or interface_language()
    others = [other for other in validators.LANGUAGES if other != wanted]
    for candidate in [wanted, *others]:
        for key in (candidate, validators.MACHINE_TAGS.get(candidate)):
            if key and texts.get(key):
                return {
                    "text": texts[key],
                    "language": candidate,
                    "fallback": candidate != wanted,
                    "machine": validators.is_machine_translated(key),
                }
    return None


def quebec_translated(value: Any, field_name: str | None = None, language: str | None = None) -> Any:
    """The text of a bilingual value in the visitor's language, else in the other one; '' if none.

    ``quebec_translated(pkg, 'title_translated')`` or
    ``quebec_translated(pkg.title_translated)``.
    """
    shown = quebec_translation(value, field_name, language)
    return shown["text"] if shown else ""


def quebec_translated_form_value(data: dict, field_name: str, language: str) -> dict[str, Any]:
    """What a form shows in the ``language`` input of a bilingual field.

    ``data`` is either a stored dataset (the field holds a dict) or a form
    posted back with errors (it holds ``<field>-<language>`` inputs, and on an
    edit also the stored dict, which they replace).

    :returns: ``{"text": ..., "machine": bool}``; keyword lists are joined by commas
    """
    data = data or {}
    machine_tag = validators.MACHINE_TAGS[language]
    # A form posted back over the stored dataset (an edit with errors) has both:
    # what was typed wins.
    posted = any(key.startswith(field_name + "-") for key in data)
    texts = None if posted else _as_dict(data.get(field_name))
    if texts is not None:
        text, machine = (texts.get(language), False) if texts.get(language) else (texts.get(machine_tag), True)
    else:
        text = data.get(f"{field_name}-{language}") or data.get(f"{field_name}-{machine_tag}")
        machine = bool(data.get(f"{field_name}-{machine_tag}")) or tk.asbool(
            data.get(f"{field_name}-{language}-machine"))
    if isinstance(text, list):
        text = ", ".join(text)
    return {"text": text or "", "machine": bool(text) and machine}


def quebec_required_languages(field: dict) -> tuple[str, ...]:
    """The languages a form must mark as required for a bilingual field."""
    if not field.get("required"):
        return ()
    return validators.required_languages(field["field_name"], field)


def quebec_language_marker(language: str) -> str:
    """The words marking a text shown in another language than the page's: "(in French)"."""
    return tk._("(in French)") if language == "fr" else tk._("(in English)")


# The keys of a resource that CKAN's "Additional information" table lists by
# their raw names ("Has views", "State", "Package id", the schema's own
# fields again): only these stay, labelled in the visitor's language (the
# templates capitalize the label).
_RESOURCE_ITEMS_SHOWN = {"size": "Size", "mimetype": "Media type"}


@tk.chained_helper
def format_resource_items(next_helper: Any, items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """CKAN's helper, for the two technical keys a visitor can use."""
    kept = [(key, value) for key, value in items if key in _RESOURCE_ITEMS_SHOWN]
    labels = {key.replace("_", " "): tk._(label) for key, label in _RESOURCE_ITEMS_SHOWN.items()}
    return [(labels.get(key, key), value) for key, value in next_helper(kept)]


def get_helpers() -> dict:
    return {
        "format_resource_items": format_resource_items,
        "quebec_required_languages": quebec_required_languages,
        "quebec_language_marker": quebec_language_marker,
        "quebec_vocabulary_choices": quebec_vocabulary_choices,
        "quebec_translation": quebec_translation,
        "quebec_translated": quebec_translated,
        "quebec_translated_form_value": quebec_translated_form_value,
    }
