"""Validators of the partner (organization) schema that the dataset schema has no equivalent for.

The organization schema (schemas/organization.yaml) uses quebec_schema's
validators (ckanext/quebec/schema/validators.py) for bilingual texts,
vocabularies, dates, URLs and e-mails; quebec_partners therefore needs
quebec_schema. Here: the bridge between bilingual names and CKAN's core
``title``/``description`` of an organization, the umbrella partner (an
existing organization, no cycle) and the certification flag.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from ckanext.quebec.schema import validators as schema_validators

missing = tk.missing
Invalid = tk.Invalid

# Fields only a sysadmin may set or change (see actions.py).
SYSADMIN_FIELDS = ("partner_type", "organisation_principale", "certified")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == {}


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


@scheming_validator
def quebec_partner_from_core_field(field: dict, schema: dict) -> Callable:
    """Before ``quebec_translated_text``: a client of core's API (or a script) that sends only
    ``title`` / ``description`` gets it read as the French text of the bilingual field."""
    core_field = field["core_field"]
    prefix = field["field_name"] + "-"

    def validator(key, data, errors, context):
        extras = data.get(key[:-1] + ("__extras",))
        from_form = isinstance(extras, dict) and any(name.startswith(prefix) for name in extras)
        core_value = data.get(key[:-1] + (core_field,))
        if _empty(data.get(key, missing)) and not from_form and not _empty(core_value):
            data[key] = {"fr": core_value}

    return validator


@scheming_validator
def quebec_partner_to_core_field(field: dict, schema: dict) -> Callable:
    """After ``quebec_translated_text``: the French text (else the English one) fills the core field."""
    core_field = field["core_field"]

    def validator(key, data, errors, context):
        if errors[key]:
            return
        texts = schema_validators.quebec_translated_output(data.get(key))
        if isinstance(texts, dict) and texts:
            data[key[:-1] + (core_field,)] = schema_validators.default_text(texts)

    return validator


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
        "quebec_partner_from_core_field": quebec_partner_from_core_field,
        "quebec_partner_to_core_field": quebec_partner_to_core_field,
        "quebec_partner_boolean": quebec_partner_boolean,
        "quebec_partner_umbrella": quebec_partner_umbrella,
    }
