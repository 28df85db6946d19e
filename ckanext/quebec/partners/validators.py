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

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from ckanext.quebec.schema import validators as schema_validators

from . import umbrella

missing = tk.missing
Invalid = tk.Invalid


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
    """``organisation_principale``: an existing organization (name or id, stored as its id), not the partner itself, no cycle."""
    value = data.get(key)
    if _empty(value):
        data.pop(key, None)
        raise tk.StopOnError
    found = umbrella.given(value)
    if found is None or found.state != "active":
        errors[key].append(tk._("No organization named {name}").format(name=value))
        raise tk.StopOnError
    data[key] = found.id

    own = _own_group(data, context)
    own_id = own.id if own is not None else None
    if not own_id:
        # A new organization: nothing refers to its id yet, no cycle is possible.
        return

    def umbrella_of(group_id: str) -> Optional[str]:
        if group_id == own_id:
            return found.id
        above = umbrella.stored_umbrella(umbrella.by_id(group_id))
        return above.id if above is not None else None

    chain = find_cycle(own_id, found.id, umbrella_of)
    if chain:
        names = umbrella.names_by_id(chain)
        errors[key].append(tk._("This umbrella would make a cycle: {chain}").format(
            chain=" → ".join(names.get(group_id, group_id) for group_id in chain)))
        raise tk.StopOnError


def quebec_partner_sysadmin_only(key, data, errors, context) -> None:
    """First validator of a field only a sysadmin may set or change (partner_type, organisation_principale, certified).

    Any other user's create or update (organization_* or group_* action, API
    or form) may leave the field out or send its stored value, which is kept
    as stored; a different value is an error.
    """
    if context.get("ignore_auth") or authz.is_sysadmin(context.get("user")):
        return
    group = _own_group(data, context)
    stored = (group.extras or {}).get(key[-1]) if group is not None else None
    value = data.get(key, missing)
    if value is missing or _same(key[-1], value, stored):
        # Kept as stored, unchecked (the vocabulary or the umbrella may have
        # changed since): the next validators are skipped, the extra is written here.
        if _empty(stored):
            data.pop(key, None)
        else:
            data[key] = stored
            tk.get_converter("convert_to_extras")(key, data, errors, context)
        raise tk.StopOnError
    errors[key].append(tk._("Only a system administrator may set or change this field"))
    raise tk.StopOnError


def _own_group(data: dict, context: Any) -> Any:
    """The organization being updated (None on a create), as core's update put it in the context."""
    group = context.get("group")
    given_id = data.get(("id",))
    return group if group is not None and given_id in (group.id, group.name) else None


def _same(field: str, value: Any, stored: Any) -> bool:
    """Whether ``value`` as a client sends it designates the stored value."""
    if _empty(value) or _empty(stored):
        return _empty(value) and _empty(stored)
    if field == umbrella.FIELD:
        found = umbrella.given(value)
        return found is not None and found.id == stored
    try:
        return quebec_partner_boolean(value) == stored if field == "certified" else \
            isinstance(value, str) and value.strip() == stored
    except Invalid:
        return False


def get_validators() -> dict[str, Callable]:
    return {
        "quebec_partner_from_core_field": quebec_partner_from_core_field,
        "quebec_partner_to_core_field": quebec_partner_to_core_field,
        "quebec_partner_boolean": quebec_partner_boolean,
        "quebec_partner_umbrella": quebec_partner_umbrella,
        "quebec_partner_umbrella_output": umbrella.quebec_partner_umbrella_output,
        "quebec_partner_sysadmin_only": quebec_partner_sysadmin_only,
    }
