"""Bilingual fields of the Québec metadata schema: texts and keywords by language, language policy, core fields.

Bilingual values
----------------
A bilingual field holds one text per language, in ckanext-fluent's shape::

    "title_translated": {"fr": "Pistes cyclables", "en": "Bike paths"}

A text produced by machine translation carries a BCP 47 transformed-content
tag (RFC 6497) instead of the bare language: ``en-t-fr`` is English
machine-translated from French, ``fr-t-en`` French machine-translated from
English::

    "title_translated": {"fr": "Pistes cyclables", "en-t-fr": "Cycle tracks"}

So the keys allowed are ``fr``, ``en``, ``fr-t-en`` and ``en-t-fr``, with at
most one text per language (a human and a machine English together are
refused). A machine translation counts for its language in the language
policy and is shown with a "machine translation" marker. Keywords have the
same shape with a list of words per key: ``{"fr": ["vélo"], "en": ["bike"]}``.

The API takes such a dict or its JSON string; web forms post one input per
language, ``<field>-fr`` and ``<field>-en``, plus a checkbox
``<field>-<language>-machine`` that marks that language's text as machine
translated (keywords: comma-separated words). Stored values are JSON strings
(dataset and resource extras); ``quebec_translated_output`` gives the dict back.

Language policy
---------------
A bilingual field that is required, or filled, must have every language its
policy requires: French by default, configurable per field through
``ckanext.quebec.schema.required_languages`` (see config_declaration.yaml),
or a ``required_languages`` list in the field's schema entry (the
configuration wins).

Core fields
-----------
``quebec_core_fields_from_translated`` (the dataset schema's after-validator)
copies the French text (else the English one) of each field naming a
``core_field`` into it: ``title``, ``notes``, and the resources' ``name`` and
``description``, so every CKAN feature that reads them keeps working.

Also the field-value helpers the other schema validators share.

Text fields refuse HTML (Markdown fields refuse scripts and active HTML); the
templates escape what they show and Markdown goes through h.render_markdown.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from ckanext.quebec import config

from . import jsonvalue, limits

missing = tk.missing
Invalid = tk.Invalid

LANGUAGES = ("fr", "en")
MACHINE_TAGS = {"fr": "fr-t-en", "en": "en-t-fr"}
TRANSLATION_KEYS = LANGUAGES + tuple(MACHINE_TAGS.values())

KEYWORD_MAX_LENGTH = 100

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_ACTIVE_HTML = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|form|svg)\b|<[^>]*\son[a-z]+\s*=|javascript\s*:",
    re.IGNORECASE)


def language_of(key: str) -> str:
    """``fr`` for ``fr`` and ``fr-t-en``; ``en`` for ``en`` and ``en-t-fr``."""
    return key.split("-")[0]


def is_machine_translated(key: str) -> bool:
    return "-t-" in key


def required_languages(field_name: str, field: dict | None = None) -> tuple[str, ...]:
    """The languages ``field_name`` must have, from the configuration or the schema."""
    default, by_field = config.schema_required_languages()
    if field_name in by_field:
        return by_field[field_name]
    if field and "required_languages" in field:
        return tuple(field["required_languages"])
    return default


# Field values, shared by the schema's validators

def is_empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == {}


NOT_JSON = object()


def load_json(value: Any) -> Any:
    value = jsonvalue.from_json(value, invalid=NOT_JSON)
    if value is NOT_JSON:
        raise Invalid(tk._("Not valid JSON"))
    return value


def drop_field(key: tuple, data: dict) -> None:
    """Leave an empty field out, and stop its validators (no empty extra stored)."""
    data.pop(key, None)
    raise tk.StopOnError


def add_error(key: tuple, errors: dict, error: Invalid) -> None:
    errors[key].append(error.error)



# Bilingual text

def check_text(text: str, markdown: bool = False, max_length: int | None = None) -> None:
    """Refuse a text too long, with control characters or HTML (Markdown: scripts and active HTML only)."""
    limits.check(text, multi_line=markdown, max_length=max_length)
    if markdown:
        if _ACTIVE_HTML.search(text):
            raise Invalid(tk._("Scripts and active HTML are not allowed in this field"))
    elif _HTML.search(text):
        raise Invalid(tk._("HTML is not allowed in this field"))


def parse_translated_text(value: Any, markdown: bool = False,
                          max_length: int | None = None) -> dict[str, str]:
    """The dict of texts by language key in ``value`` (a dict or its JSON string).

    Empty texts are dropped and the others stripped.

    :raises Invalid: not such a dict, an unknown key, a text that is not a
        string or holds HTML, or two texts for one language.
    """
    value = load_json(value)
    if not isinstance(value, dict):
        raise Invalid(tk._("Expecting an object of texts by language, e.g. {\"fr\": \"...\", \"en\": \"...\"}"))
    texts: dict[str, str] = {}
    for key, text in value.items():
        if key not in TRANSLATION_KEYS:
            raise Invalid(tk._("Unknown language key {key}: use fr, en, fr-t-en or en-t-fr").format(key=key))
        if text is None or text is missing:
            continue
        if not isinstance(text, str):
            raise Invalid(tk._("The text in {key} must be a string").format(key=key))
        text = text.strip()
        if not text:
            continue
        check_text(text, markdown, max_length)
        texts[key] = text
    _check_one_per_language(texts)
    return texts


def _check_one_per_language(value: dict) -> None:
    for language, machine in MACHINE_TAGS.items():
        if value.get(language) and value.get(machine):
            raise Invalid(tk._("Give either a human or a machine translation in {language}, not both")
                          .format(language=language))


def check_languages(value: dict, languages: tuple[str, ...]) -> None:
    """Raise Invalid naming the first language of ``languages`` that ``value`` lacks."""
    present = {language_of(key) for key, text in value.items() if text}
    for language in languages:
        if language not in present:
            if language == "fr":
                raise Invalid(tk._("The French version is required"))
            raise Invalid(tk._("The English version is required"))


def _form_inputs(key: tuple, data: dict, parse: Callable[[str], Any]) -> dict | None:
    """The value posted by a web form as ``<field>-<lang>`` inputs, or None.

    The inputs are taken out of ``__extras`` so they are not stored as such.
    """
    extras = data.get(key[:-1] + ("__extras",))
    if not isinstance(extras, dict):
        return None
    prefix = key[-1] + "-"
    inputs = {name[len(prefix):]: extras.pop(name) for name in list(extras) if name.startswith(prefix)}
    if not inputs:
        return None
    value: dict[str, Any] = {}
    for language in LANGUAGES:
        for tag in (language, MACHINE_TAGS[language]):
            if tag in inputs and inputs[tag] not in (None, ""):
                text = inputs[tag]
                if tk.asbool(inputs.get(language + "-machine")):
                    tag = MACHINE_TAGS[language]
                value[tag] = parse(text) if isinstance(text, str) else text
    return value



@scheming_validator
def quebec_translated_text(field: dict, schema: dict) -> Callable:
    """A bilingual text field; the field's ``markdown: true`` lets Markdown in."""
    markdown, max_length = bool(field.get("markdown")), field.get("max_length")
    return _by_language_validator(
        field, parse_form_text=lambda text: text,
        parse_value=lambda value: parse_translated_text(value, markdown, max_length))


def _by_language_validator(field: dict, parse_form_text: Callable[[str], Any],
                           parse_value: Callable[[Any], dict]) -> Callable:
    """A validator of a value given by language (dict, JSON or one form input
    per language), checked against the field's language policy and stored as JSON."""
    field_name = field["field_name"]

    def validator(key, data, errors, context):
        if errors[key]:
            return
        value = data.get(key, missing)
        if is_empty(value):
            value = _form_inputs(key, data, parse_form_text) or missing
        try:
            by_language = {} if is_empty(value) else parse_value(value)
            if by_language or field.get("required"):
                check_languages(by_language, required_languages(field_name, field))
        except Invalid as error:
            return add_error(key, errors, error)
        if by_language:
            data[key] = json.dumps(by_language, ensure_ascii=False)
        else:
            drop_field(key, data)

    return validator


def quebec_translated_output(value: Any) -> Any:
    """The stored JSON string of a bilingual field, as a dict."""
    return jsonvalue.from_json(value) if isinstance(value, str) else value


# Keywords

def _split_keywords(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def parse_keywords(value: Any) -> dict[str, list[str]]:
    """The keyword lists by language key in ``value`` (a dict or its JSON string).

    :raises Invalid: not such a dict, a list that is not a list of short
        words, an unknown key, two lists for one language.
    """
    value = load_json(value)
    if not isinstance(value, dict):
        raise Invalid(tk._("Keywords must be given by language, e.g. {\"fr\": [\"...\"], \"en\": [\"...\"]}"))
    keywords: dict[str, list[str]] = {}
    for key, words in value.items():
        if key not in TRANSLATION_KEYS:
            raise Invalid(tk._("Unknown language key {key}: use fr, en, fr-t-en or en-t-fr").format(key=key))
        if words is None or words is missing:
            continue
        if not isinstance(words, list):
            raise Invalid(tk._("Keywords in {key} must be a list").format(key=key))
        cleaned = []
        for word in words:
            if not isinstance(word, str) or not word.strip() or len(word.strip()) > KEYWORD_MAX_LENGTH:
                raise Invalid(tk._("A keyword must be a text of 1 to {max} characters")
                              .format(max=KEYWORD_MAX_LENGTH))
            check_text(word)
            if word.strip() not in cleaned:
                cleaned.append(word.strip())
        if cleaned:
            keywords[key] = cleaned
    _check_one_per_language(keywords)
    return keywords


@scheming_validator
def quebec_keywords(field: dict, schema: dict) -> Callable:
    """Keyword lists by language: a dict, its JSON string or comma-separated form inputs."""
    return _by_language_validator(field, parse_form_text=_split_keywords,
                                  parse_value=parse_keywords)


# Core fields

@scheming_validator
def quebec_core_fields_from_translated(field: Any, schema: dict) -> Callable:
    """Fill each ``core_field`` (title, notes, resource name...) from its bilingual field.

    Used as the dataset schema's ``after_validators``: it sees the whole
    dataset, resources included, once the bilingual fields are validated.
    """
    dataset_fields = [f for f in schema.get("dataset_fields", []) if f.get("core_field")]
    resource_fields = [f for f in schema.get("resource_fields", []) if f.get("core_field")]

    def fill(prefix: tuple, fields: list, data: dict, errors: dict) -> None:
        for f in fields:
            source = prefix + (f["field_name"],)
            if errors.get(source):
                continue
            texts = quebec_translated_output(data.get(source))
            if isinstance(texts, dict) and texts:
                data[prefix + (f["core_field"],)] = default_text(texts)

    def validator(key, data, errors, context):
        fill((), dataset_fields, data, errors)
        positions = sorted({k[1] for k in data if len(k) == 3 and k[0] == "resources"})
        for position in positions:
            fill(("resources", position), resource_fields, data, errors)

    return validator


def default_text(texts: dict[str, Any]) -> Any:
    """The text of the portal's language: French, else English (human first)."""
    for key in ("fr", "fr-t-en", "en", "en-t-fr"):
        if texts.get(key):
            return texts[key]
    return ""

