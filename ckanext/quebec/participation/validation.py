"""What the participation actions accept: their schemas, the statuses' transitions and the validators they use.

Texts by language use the suite's bilingual fields (schema/bilingual.py):
a dict or its JSON string, ``fr`` and ``en`` keys (machine-translation tags
too), no HTML, the suite's language policy. A suggestion's texts need one
language, French or English, unless ``ckanext.quebec.schema.required_languages``
names the field (``suggestion_title:fr``). Vocabularies come from
``schemas/vocabularies`` (categories, territories, suggestion_reasons,
suggestion_statuses).
"""
from __future__ import annotations

import datetime
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Schema

from ckanext.quebec.schema import bilingual, limits, vocabularies

Invalid = tk.Invalid
missing = tk.missing

TITLE_MAX = 200
TEXT_MAX = 5000
COMMENT_MAX = 2000
REASON_MAX = 500
ID_MAX = 100
MAX_TERRITORIES = 20
MAX_DATASETS = 50
MAX_CANDIDATES = 100
PAGE_MAX = 100

# Who moves a suggestion where. Refused ones may be reopened for study.
TRANSITIONS = {
    "proposed": ("forwarded", "refused"),
    "forwarded": ("under_review", "planned", "published", "refused"),
    "under_review": ("planned", "published", "refused"),
    "planned": ("published", "refused"),
    "published": (),
    "refused": ("under_review",),
}
SORTS = ("votes", "activity", "created")


def statuses() -> list[str]:
    return [entry["value"] for entry in vocabularies.get("suggestion_statuses")]


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == ""


def translated(field_name: str, markdown: bool = False, max_length: int = TITLE_MAX) -> Callable:
    """A text by language with at least one language, checked against the field's language policy."""
    def validator(value: Any, context) -> dict[str, str]:
        texts = bilingual.parse_translated_text(value, markdown=markdown, max_length=max_length)
        if not texts:
            raise Invalid(tk._("Give the text in French or in English"))
        bilingual.check_languages(
            texts, bilingual.required_languages(field_name, {"required_languages": ()}))
        return texts
    return validator


def plain_text(max_length: int) -> Callable:
    """One text of a few lines, at most ``max_length`` characters, stripped; shown escaped."""
    def validator(value: Any, context) -> str:
        if not isinstance(value, str) or not value.strip():
            raise Invalid(tk._("Missing value"))
        limits.check(value.strip(), multi_line=True, max_length=max_length)
        return value.strip()
    return validator


def in_vocabulary(name: str) -> Callable:
    def validator(value: Any, context) -> str:
        if not isinstance(value, str) or vocabularies.entry(name, value) is None:
            raise Invalid(tk._("Unknown value: {value}").format(value=str(value)[:50]))
        return value
    return validator


def _as_list(value: Any) -> list:
    """A list, a comma-separated text (forms) or one value."""
    if isinstance(value, str):
        value = bilingual.jsonvalue.from_json(value) if value.startswith("[") else value.split(",")
    if not isinstance(value, list):
        raise Invalid(tk._("Expecting a list of values"))
    return [item.strip() if isinstance(item, str) else item for item in value
            if not (isinstance(item, str) and not item.strip())]


def territories(value: Any, context) -> list[str]:
    values = _as_list(value)
    if len(values) > MAX_TERRITORIES:
        raise Invalid(tk._("At most {count} values").format(count=MAX_TERRITORIES))
    check = in_vocabulary("territories")
    return list(dict.fromkeys(check(item, context) for item in values))


def identifier(value: Any, context) -> str:
    """An id or name: a one-line text of at most 100 characters."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(tk._("Missing value"))
    limits.check(value.strip(), max_length=ID_MAX)
    return value.strip()


def organization(value: Any, context) -> str:
    """An active organization's id or name, as its id."""
    group = model.Group.get(identifier(value, context))
    if group is None or not group.is_organization or group.state != "active":
        raise Invalid(tk._("Organization not found"))
    return group.id


def datasets(value: Any, context) -> list[str]:
    """Active datasets' ids or names, as their ids."""
    values = _as_list(value)
    if len(values) > MAX_DATASETS:
        raise Invalid(tk._("At most {count} values").format(count=MAX_DATASETS))
    found = []
    for item in values:
        package = model.Package.get(identifier(item, context))
        if package is None or package.state != "active":
            raise Invalid(tk._("Dataset not found: {value}").format(value=str(item)[:ID_MAX]))
        found.append(package.id)
    return list(dict.fromkeys(found))


def boolean(value: Any, context) -> bool:
    if isinstance(value, bool):
        return value
    try:
        if isinstance(value, str) and value.strip():
            return tk.asbool(value.strip())
    except ValueError:
        pass
    raise Invalid(tk._("Must be true or false"))


def whole_number(low: int, high: int) -> Callable:
    def validator(value: Any, context) -> int:
        if isinstance(value, bool) or not (isinstance(value, int) or (
                isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10)):
            raise Invalid(tk._("Invalid integer"))
        number = int(value)
        if not low <= number <= high:
            raise Invalid(tk._("Must be between {low} and {high}").format(low=low, high=high))
        return number
    return validator


def instant(value: Any, context) -> datetime.datetime:
    """An ISO 8601 date or date and time, as an aware instant (UTC when no offset is given)."""
    if not isinstance(value, str):
        raise Invalid(tk._("Expecting a date such as 2027-03-01"))
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(tk._("Expecting a date such as 2027-03-01"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def one_of(values: tuple[str, ...] | Callable[[], list[str]]) -> Callable:
    def validator(value: Any, context) -> str:
        allowed = values() if callable(values) else values
        if not isinstance(value, str) or value not in allowed:
            raise Invalid(tk._("Unknown value: {value}").format(value=str(value)[:50]))
        return value
    return validator


def _required() -> list:
    return [tk.get_validator("not_missing"), tk.get_validator("not_empty")]


def _optional() -> list:
    return [tk.get_validator("ignore_missing"), tk.get_validator("ignore_empty")]


def suggestion_create_schema() -> Schema:
    return {
        "title": _required() + [translated("suggestion_title")],
        "description": _required() + [translated("suggestion_description", markdown=True,
                                                  max_length=TEXT_MAX)],
        "category": _required() + [in_vocabulary("categories")],
        "reason": _required() + [in_vocabulary("suggestion_reasons")],
        "territories": _optional() + [territories],
        "owner_org": _optional() + [organization],
    }


def id_schema() -> Schema:
    return {"id": _required() + [identifier]}


def status_schema() -> Schema:
    return {
        "id": _required() + [identifier],
        "status": _required() + [one_of(statuses)],
        "answer": _optional() + [translated("suggestion_answer", max_length=TEXT_MAX, markdown=True)],
        "datasets": _optional() + [datasets],
        "owner_org": _optional() + [organization],
    }


def moderate_schema() -> Schema:
    return {
        "id": _required() + [identifier],
        "hidden": _required() + [boolean],
        "reason": _optional() + [plain_text(REASON_MAX)],
    }


def merge_schema() -> Schema:
    return {"id": _required() + [identifier], "into": _required() + [identifier]}


def list_schema() -> Schema:
    return {
        "q": _optional() + [plain_text(200)],
        "status": _optional() + [one_of(statuses)],
        "category": _optional() + [in_vocabulary("categories")],
        "territory": _optional() + [in_vocabulary("territories")],
        "organization": _optional() + [organization],
        "sort": _optional() + [one_of(SORTS)],
        "include_hidden": _optional() + [boolean],
        "limit": _optional() + [whole_number(1, PAGE_MAX)],
        "offset": _optional() + [whole_number(0, 1_000_000)],
    }


def comment_create_schema() -> Schema:
    return {"suggestion_id": _required() + [identifier],
            "text": _required() + [plain_text(COMMENT_MAX)]}


def optout_schema() -> Schema:
    return {"opted_out": _required() + [boolean]}


def comment_list_schema() -> Schema:
    return {"suggestion_id": _required() + [identifier], "include_hidden": _optional() + [boolean]}


def identifiers(value: Any, context) -> list[str]:
    """A list of ids (or a comma-separated text), each once, at most 100."""
    values = _as_list(value)
    if len(values) > MAX_CANDIDATES:
        raise Invalid(tk._("At most {count} values").format(count=MAX_CANDIDATES))
    return list(dict.fromkeys(identifier(item, context) for item in values))


def campaign_create_schema() -> Schema:
    return {
        "title": _required() + [translated("campaign_title")],
        "description": _required() + [translated("campaign_description", markdown=True, max_length=TEXT_MAX)],
        "category": _optional() + [in_vocabulary("categories")],
        "opens": _required() + [instant],
        "closes": _required() + [instant],
        "max_votes": _required() + [whole_number(1, 50)],
        "candidates": _required() + [identifiers],
    }


def campaign_entry_schema() -> Schema:
    return {
        "id": _required() + [identifier],
        "title": _required() + [translated("campaign_entry_title")],
        "description": _required() + [translated("campaign_entry_description", markdown=True,
                                                  max_length=TEXT_MAX)],
    }


def campaign_vote_schema() -> Schema:
    """The campaign and one candidate: a suggestion or an entry."""
    return {"id": _required() + [identifier], "suggestion_id": _optional() + [identifier],
            "entry_id": _optional() + [identifier]}


def validate(data_dict: Any, schema: Schema, context) -> dict:
    """The validated data.

    :raises ValidationError: per-field messages; also for a body that is not an object.
    """
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"message": [tk._("Expecting an object of parameters")]})
    unknown = [key for key in data_dict if key not in schema and not str(key).startswith("__")]
    # navl runs no validator on an empty list or object: given as "", they meet not_empty and ignore_empty.
    given = {key: "" if value in ([], {}) else value for key, value in data_dict.items() if key in schema}
    data, errors = tk.navl_validate(given, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    if unknown:
        raise tk.ValidationError({key: [tk._("Unknown parameter")] for key in unknown[:10]})
    return data
