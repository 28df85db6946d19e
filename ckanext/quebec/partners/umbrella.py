"""The umbrella partner (``organisation_principale``) of an organization: stored as the umbrella's id.

A name can be taken again once its organization is renamed or deleted, so a
stored name could come to designate somebody else's organization (and give
its admins the rights of an umbrella admin). Clients still give and read a
name: the validator turns a name or an id into the id, the output validator
and the pages show the umbrella's current name.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from ckan import model

FIELD = "organisation_principale"


def by_id(group_id: Any) -> Optional[model.Group]:
    """The organization whose id is ``group_id`` (never one that merely has it as a name)."""
    if not isinstance(group_id, str) or not group_id or "\x00" in group_id:
        return None
    group = model.Session.query(model.Group).filter(model.Group.id == group_id).first()
    return group if group is not None and group.is_organization else None


def given(value: Any) -> Optional[model.Group]:
    """The organization a client designates by ``value``: its id, else its current name."""
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        return None
    value = value.strip()
    group = by_id(value) or model.Session.query(model.Group).filter(
        model.Group.name == value).first()
    return group if group is not None and group.is_organization else None


def stored_umbrella(group: Optional[model.Group]) -> Optional[model.Group]:
    """The umbrella organization that ``group`` stores (by id), whatever its state, or None."""
    if group is None:
        return None
    return by_id((group.extras or {}).get(FIELD))


def names_by_id(group_ids: Iterable[Any]) -> dict[str, str]:
    """The current name of each organization among ``group_ids`` (unknown ids left out), in one query."""
    wanted = {value for value in group_ids if isinstance(value, str) and value}
    if not wanted:
        return {}
    rows = model.Session.query(model.Group.id, model.Group.name).filter(
        model.Group.id.in_(wanted), model.Group.is_organization.is_(True))
    return dict(rows.all())


def quebec_partner_umbrella_output(value: Any) -> Any:
    """Output validator: the stored umbrella id shown as the umbrella's current name."""
    umbrella = by_id(value)
    return umbrella.name if umbrella is not None else value
