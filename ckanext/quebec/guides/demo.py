"""The five guides shipped with the demo: read from content/ and loaded by ``ckan quebec demo load``."""
from __future__ import annotations

import os
import re
from typing import Any

import yaml

import ckan.plugins.toolkit as tk
from ckan import model

from .store import LANGUAGES

CONTENT = os.path.join(os.path.dirname(__file__), "content")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


def guide_texts(name: str, language: str) -> dict[str, str]:
    """``title``, ``summary`` and ``body`` of a shipped guide in ``language``."""
    with open(os.path.join(CONTENT, f"{name}.{language}.md"), encoding="utf-8") as f:
        match = _FRONT_MATTER.match(f.read())
    if match is None:
        raise ValueError(f"{name}.{language}.md: no front matter (--- title, summary ---)")
    front = yaml.safe_load(match.group(1))
    return {"title": front["title"], "summary": front["summary"], "body": match.group(2).strip()}


def shipped() -> list[dict[str, Any]]:
    """The shipped guides as quebec_guide_create takes them."""
    with open(os.path.join(CONTENT, "guides.yaml"), encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    guides = []
    for entry in entries:
        guide = dict(entry)
        for language in LANGUAGES:
            for field, text in guide_texts(entry["name"], language).items():
                guide[f"{field}_{language}"] = text
        guides.append(guide)
    return guides


def load() -> list[str]:
    """Create and publish the shipped guides that are missing; report a line per guide.

    A guide links only to the datasets the portal has: a demo loaded in part
    (``ckan quebec demo load`` of a few datasets) lacks some of them.
    """
    context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    lines = []
    for guide in shipped():
        try:
            tk.get_action("quebec_guide_show")(dict(context), {"id": guide["name"]})
            lines.append(f"kept guide {guide['name']}")
            continue
        except tk.ObjectNotFound:
            pass
        absent = [name for name in guide.get("datasets", []) if not _exists(name)]
        guide["datasets"] = [name for name in guide.get("datasets", []) if name not in absent]
        created = tk.get_action("quebec_guide_create")(dict(context), guide)
        tk.get_action("quebec_guide_publish")(dict(context), {"id": created["id"]})
        lines.append(f"created guide {guide['name']}"
                     + (f" (without the absent datasets {', '.join(absent)})" if absent else ""))
    return lines


def _exists(name: str) -> bool:
    dataset = model.Package.get(name)
    return dataset is not None and dataset.state == "active"
