"""Validators of the partner (organization) schema: bilingual names, vocabularies, umbrella, dates, contacts.

The plain ``check_*`` and ``parse_*`` functions hold the rules and raise
``tk.Invalid``; the CSV loader calls them directly so that a dry run reports
the same errors the API would give. The ``quebec_partner_*`` functions are
the navl/scheming validators the organization schema names.
"""
from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from ckanext.quebec.schema import vocabularies

missing = tk.missing
Invalid = tk.Invalid

LANGUAGES = ("fr", "en")
REQUIRED_LANGUAGE = "fr"
# Fields only a sysadmin may set or change (see actions.py).
SYSADMIN_FIELDS = ("partner_type", "organisation_principale", "certified")

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == {}


# Plain rules, usable without a database or a request.

def parse_translated_text(value: Any) -> dict[str, str]:
    """``{"fr": ..., "en": ...}`` from a dict, its JSON string, or a plain string (read as French).

    Empty texts are dropped; HTML is refused.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise Invalid(tk._("Not valid JSON"))
        else:
            value = {REQUIRED_LANGUAGE: text}
    if not isinstance(value, dict):
        raise Invalid(tk._('Must be a dictionary of texts by language, e.g. {"fr": "...", "en": "..."}'))
    texts = {}
    for language, text in value.items():
        if language not in LANGUAGES:
            raise Invalid(tk._("Unknown language {language}: use fr or en").format(language=language))
        if text is None:
            continue
        if not isinstance(text, str):
            raise Invalid(tk._("The {language} text must be a string").format(language=language))
        text = text.strip()
        if _HTML.search(text):
            raise Invalid(tk._("HTML is not allowed"))
        if text:
            texts[language] = text
    return texts


def check_french(texts: dict[str, str]) -> None:
    if not texts.get(REQUIRED_LANGUAGE):
        raise Invalid(tk._("The French text is required"))


def check_vocabulary(name: str, value: str) -> str:
    values = [entry["value"] for entry in vocabularies.get(name)]
    if value not in values:
        raise Invalid(tk._("Unknown value {value}. Allowed values: {values}").format(
            value=value, values=", ".join(values)))
    return value


def parse_date(value: Any) -> str:
    """An ISO 8601 calendar date (``YYYY-MM-DD``), returned as that string."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise Invalid(tk._("Must be a date in the form YYYY-MM-DD"))


def check_url(value: Any) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", text, re.IGNORECASE):
        raise Invalid(tk._("Must be a web address starting with http:// or https://"))
    return text


def check_email(value: Any) -> str:
    text = str(value).strip()
    if not _EMAIL.match(text):
        raise Invalid(tk._("Must be an e-mail address"))
    return text


def find_cycle(name: str, umbrella: str,
               umbrella_of: Callable[[str], Optional[str]]) -> Optional[list[str]]:
    """The chain of umbrellas that leads from ``umbrella`` back to ``name``, or None.

    ``umbrella_of(x)`` gives the umbrella of partner ``x`` (None when it has
    none). A partner that is its own umbrella is a cycle too.
    """
    chain = [name, umbrella]
    seen = {name}
    current: Optional[str] = umbrella
    while current:
        if current in seen:
            return chain if current == name else None
        seen.add(current)
        current = umbrella_of(current)
        if current:
            chain.append(current)
    return None


# navl / scheming validators.

@scheming_validator
def quebec_partner_translated_text(field: dict, schema: dict) -> Callable:
    """A bilingual text, French required when the field is; copied into ``core_field`` (French).

    Without the bilingual value, the core field's text is taken as the French one.
    """
    required = field.get("required", False)
    core_field = field.get("core_field")

    def validator(key, data, errors, context):
        value = data.get(key)
        if _empty(value) and core_field and not _empty(data.get((core_field,))):
            # A client of core's API (or the demo loader) sends only title or
            # description: read it as the French text.
            value = {REQUIRED_LANGUAGE: data[(core_field,)]}
        if _empty(value):
            if required:
                errors[key].append(tk._("The French text is required"))
            # Nothing to store: stop before convert_to_extras.
            data.pop(key, None)
            raise tk.StopOnError
        try:
            texts = parse_translated_text(value)
            if required or texts:
                check_french(texts)
        except Invalid as error:
            errors[key].append(error.error)
            raise tk.StopOnError
        if not texts:
            data.pop(key, None)
            raise tk.StopOnError
        data[key] = json.dumps(texts, ensure_ascii=False)
        if core_field:
            data[(core_field,)] = texts[REQUIRED_LANGUAGE]

    return validator


def quebec_partner_translated_output(value: Any) -> Any:
    """The stored JSON string of a bilingual text, as a dict."""
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return {REQUIRED_LANGUAGE: value}
        return loaded if isinstance(loaded, dict) else value
    return value


@scheming_validator
def quebec_partner_vocabulary(field: dict, schema: dict) -> Callable:
    """A value of the vocabulary named by the field's ``vocabulary`` key."""
    name = field["vocabulary"]

    def validator(value):
        if _empty(value):
            return missing
        return check_vocabulary(name, str(value).strip())

    return validator


def quebec_partner_date(value: Any) -> Any:
    if _empty(value):
        return missing
    return parse_date(value)


def quebec_partner_url(value: Any) -> Any:
    if _empty(value):
        return missing
    return check_url(value)


def quebec_partner_email(value: Any) -> Any:
    if _empty(value):
        return missing
    return check_email(value)


def quebec_partner_boolean(value: Any) -> Any:
    """A yes/no value, stored as ``"true"`` or ``"false"`` (extras hold strings)."""
    if _empty(value):
        return missing
    try:
        return "true" if tk.asbool(value) else "false"
    except ValueError:
        raise Invalid(tk._("Must be true or false"))


def quebec_partner_umbrella(key, data, errors, context) -> None:
    """``organisation_principale``: an existing organization's name, not the partner itself, no cycle."""
    value = data.get(key)
    if _empty(value):
        data.pop(key, None)
        raise tk.StopOnError
    from ckan import model

    umbrella = model.Group.get(str(value).strip())
    if umbrella is None or not umbrella.is_organization or umbrella.state != "active":
        errors[key].append(tk._("No organization named {name}").format(name=value))
        raise tk.StopOnError
    data[key] = umbrella.name

    own_id = data.get(("id",))
    own = model.Group.get(own_id) if own_id and own_id is not missing else None
    own_name = own.name if own else data.get(("name",))
    if not own_name or own_name is missing:
        return

    def umbrella_of(name: str) -> Optional[str]:
        if name == own_name:
            return umbrella.name
        group = model.Group.get(name)
        if group is None:
            return None
        return group.extras.get("organisation_principale") or None

    chain = find_cycle(own_name, umbrella.name, umbrella_of)
    if chain:
        errors[key].append(tk._("This umbrella would make a cycle: {chain}").format(
            chain=" → ".join(chain)))
        raise tk.StopOnError


def get_validators() -> dict[str, Callable]:
    return {
        "quebec_partner_translated_text": quebec_partner_translated_text,
        "quebec_partner_translated_output": quebec_partner_translated_output,
        "quebec_partner_vocabulary": quebec_partner_vocabulary,
        "quebec_partner_date": quebec_partner_date,
        "quebec_partner_url": quebec_partner_url,
        "quebec_partner_email": quebec_partner_email,
        "quebec_partner_boolean": quebec_partner_boolean,
        "quebec_partner_umbrella": quebec_partner_umbrella,
    }
