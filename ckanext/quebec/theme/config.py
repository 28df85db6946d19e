"""quebec_theme's options, read typed from the configuration (defaults in config_declaration.yaml)."""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk

from ckanext.quebec.config import ConfigError

PORTAL_NAME = "ckanext.quebec.theme.portal_name"
LOGO_TEXT = "ckanext.quebec.theme.logo_text"
CONTACT = "ckanext.quebec.theme.contact"
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")


def portal_name() -> str:
    return tk.config.get(PORTAL_NAME)


def logo_text() -> str:
    return tk.config.get(LOGO_TEXT)


def contact_url() -> str:
    """The contact link (``mailto:`` for an e-mail address), or "" when none is configured."""
    value = (tk.config.get(CONTACT) or "").strip()
    if not value:
        return ""
    return value if _URL.match(value) else f"mailto:{value}"


def check() -> None:
    """Stop start-up on a blank name or a contact that is neither an e-mail address nor an http(s) URL."""
    for key in (PORTAL_NAME, LOGO_TEXT):
        if not (tk.config.get(key) or "").strip():
            raise ConfigError(f"{key} must not be empty")
    contact = (tk.config.get(CONTACT) or "").strip()
    if contact and not (_EMAIL.match(contact) or _URL.match(contact)):
        raise ConfigError(
            f"{CONTACT} must be an e-mail address or an http(s) URL, not {contact!r}")
