"""Typed access to the quebec_dcat options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

_PREFIX = "ckanext.quebec.dcat."


def _bilingual(name: str) -> dict[str, str]:
    return {
        language: value
        for language in ("fr", "en")
        if (value := tk.config.get(f"{_PREFIX}{name}_{language}"))
    }


def catalog_title() -> dict[str, str]:
    return _bilingual("catalog_title")


def catalog_description() -> dict[str, str]:
    return _bilingual("catalog_description")


def catalog_publisher_name() -> dict[str, str]:
    return _bilingual("catalog_publisher_name")


def site_url() -> str:
    return tk.config.get("ckan.site_url").rstrip("/")


def catalog_publisher_uri() -> str:
    return tk.config.get(f"{_PREFIX}catalog_publisher_uri") or f"{site_url()}/#publisher"


def catalog_homepage() -> str:
    return tk.config.get(f"{_PREFIX}catalog_homepage") or f"{site_url()}/"


def api_endpoint() -> str:
    """The Action API's base URL (the dcat:endpointURL of the catalogue's service)."""
    return f"{site_url()}/api/3/action/"


def api_title() -> dict[str, str]:
    return _bilingual("api_title")


def content_negotiation() -> bool:
    return tk.asbool(tk.config.get(f"{_PREFIX}content_negotiation"))


def structured_data_profiles() -> list[str]:
    return tk.aslist(tk.config.get(f"{_PREFIX}structured_data_profiles"))


def import_max_bytes() -> int:
    return tk.config.get(f"{_PREFIX}import_max_bytes")


def import_timeout() -> int:
    return tk.config.get(f"{_PREFIX}import_timeout")


def import_max_pages() -> int:
    return tk.config.get(f"{_PREFIX}import_max_pages")


def import_allow_private_addresses() -> bool:
    return tk.asbool(tk.config.get(f"{_PREFIX}import_allow_private_addresses"))
