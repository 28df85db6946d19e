"""The demo's data suggestions, votes and campaign (demo/data/suggestions.yaml), loaded by ``ckan quebec demo load``.

Loaded once: when any suggestion exists, the demo keeps what is there. The
suggestions are made through the actions, as the site user (their statuses
walked one after the other, so the history shows each), and voted for by
demo citizens who cannot log in (their passwords are random and never shown).
"""
from __future__ import annotations

import datetime
import os
import secrets
from typing import Any

import yaml

import ckan.plugins.toolkit as tk

from . import store, validation

DATA = os.path.join(os.path.dirname(__file__), "..", "demo", "data", "suggestions.yaml")
CITIZENS = 4
# The way to each status, from proposed.
_PATH = ("forwarded", "under_review", "planned", "published")


def _context(user: str) -> dict[str, Any]:
    return {"user": user, "ignore_auth": True}


def _citizens() -> list[str]:
    names = []
    for number in range(1, CITIZENS + 1):
        name = f"citoyen-demo-{number}"
        try:
            tk.get_action("user_show")(_context(""), {"id": name})
        except tk.ObjectNotFound:
            tk.get_action("user_create")(_context(""), {
                "name": name, "fullname": f"Citoyen démo {number}", "email": f"{name}@example.org",
                "password": secrets.token_urlsafe(24)})
        names.append(name)
    return names


def _walk(site_user: str, suggestion_id: str, entry: dict) -> None:
    target = entry["status"]
    steps = ["forwarded", "refused"] if target == "refused" else \
        list(_PATH[:_PATH.index(target) + 1]) if target in _PATH else []
    for status in steps:
        data: dict[str, Any] = {"id": suggestion_id, "status": status}
        if status == target and entry.get("answer"):
            data["answer"] = entry["answer"]
        if status == "published":
            data["datasets"] = entry["datasets"]
        tk.get_action("quebec_suggestion_update_status")(_context(site_user), data)


def _organization(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return tk.get_action("organization_show")(_context(""), {"id": name, "include_datasets": False})["id"]
    except tk.ObjectNotFound:
        return None


def _dataset_exists(name: str) -> bool:
    try:
        tk.get_action("package_show")(_context(""), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def load() -> list[str]:
    """Create the demo suggestions, votes and campaign unless suggestions exist; a report line each."""
    if store.search({}, "created", 1, 0, include_hidden=True)[0]:
        return ["kept suggestions (some exist)"]
    with open(DATA, encoding="utf-8") as f:
        demo = yaml.safe_load(f)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    citizens = _citizens()
    created, lines = [], []
    for entry in demo["suggestions"]:
        data = {key: entry[key] for key in ("title", "description", "category", "reason", "territories")}
        owner_org = _organization(entry.get("organization"))
        if owner_org:
            data["owner_org"] = owner_org
        elif entry["status"] != "proposed":
            entry = dict(entry, status="proposed")  # its organization is not in this catalogue
        if entry["status"] == "published" and not all(_dataset_exists(name) for name in entry["datasets"]):
            entry = dict(entry, status="planned")
        suggestion = tk.get_action("quebec_suggestion_create")(_context(citizens[len(created) % CITIZENS]), data)
        for citizen in citizens[:entry["votes"]]:
            tk.get_action("quebec_suggestion_vote")(_context(citizen), {"id": suggestion["id"]})
        _walk(site_user, suggestion["id"], entry)
        created.append(suggestion["id"])
        lines.append(f"created suggestion {entry['title'].get('fr') or entry['title']['en']}")
    lines.append(_campaign(site_user, demo["campaign"], created, citizens))
    return lines


def _campaign(site_user: str, campaign: dict, suggestion_ids: list[str], citizens: list[str]) -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    candidates = [s["id"] for s in tk.get_action("quebec_suggestion_list")(_context(site_user), {
        "category": campaign["category"], "limit": validation.PAGE_MAX})["results"]
        if s["id"] in suggestion_ids][:campaign["candidates"]]
    created = tk.get_action("quebec_campaign_create")(_context(site_user), {
        "title": campaign["title"], "description": campaign["description"], "category": campaign["category"],
        "max_votes": campaign["max_votes"], "candidates": candidates,
        "opens": (now - datetime.timedelta(days=campaign["days_before"])).isoformat(),
        "closes": (now + datetime.timedelta(days=campaign["days_after"])).isoformat()})
    for entry in campaign.get("entries", []):
        tk.get_action("quebec_campaign_entry_create")(_context(site_user), dict(entry, id=created["id"]))
    for position, citizen in enumerate(citizens):
        for candidate in candidates[position % 2:][:campaign["max_votes"] - 1]:
            tk.get_action("quebec_campaign_vote")(_context(citizen), {
                "id": created["id"], "suggestion_id": candidate})
    return f"created campaign {campaign['title']['fr']}"
