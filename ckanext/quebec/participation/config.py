"""Typed readers of the quebec_participation options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.quebec.participation."


def rate_limit() -> int:
    return int(tk.config.get(PREFIX + "rate_limit"))


def rate_window() -> int:
    return int(tk.config.get(PREFIX + "rate_window"))


def notify() -> bool:
    return tk.asbool(tk.config.get(PREFIX + "notify"))


def address_rate_limit() -> int:
    return int(tk.config.get(PREFIX + "address_rate_limit"))
