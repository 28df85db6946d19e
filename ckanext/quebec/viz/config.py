"""Typed access to the quebec_viz options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

_PREFIX = "ckanext.quebec.viz."


def _int(name: str) -> int:
    return int(tk.config.get(_PREFIX + name))


def max_rows() -> int:
    return _int("max_rows")


def max_columns() -> int:
    return _int("max_columns")


def max_features() -> int:
    return _int("max_features")


def max_download_bytes() -> int:
    return _int("max_download_bytes")


def max_geo_bytes() -> int:
    return _int("max_geo_bytes")


def fetch_timeout() -> int:
    return _int("fetch_timeout")


def memory_limit() -> str:
    return str(tk.config.get(_PREFIX + "memory_limit"))


def allow_private_urls() -> bool:
    return tk.asbool(tk.config.get(_PREFIX + "allow_private_urls"))


def tile_url() -> str:
    return tk.config.get(_PREFIX + "tile_url") or ""


def tile_attribution(language: str) -> str:
    """The tile layer's attribution in ``language`` (the French text when no English one is set)."""
    english = tk.config.get(_PREFIX + "tile_attribution_en") if language == "en" else ""
    return english or tk.config.get(_PREFIX + "tile_attribution") or ""


def storage_path() -> str:
    return tk.config.get("ckan.storage_path") or ""


def extract_settings() -> dict:
    """The caps and limits of preview builds, as extract.Settings takes them."""
    return {"max_rows": max_rows(), "max_columns": max_columns(), "max_features": max_features(),
            "max_download_bytes": max_download_bytes(), "max_geo_bytes": max_geo_bytes(),
            "memory_limit": memory_limit(), "allow_private_urls": allow_private_urls(),
            "fetch_timeout": fetch_timeout()}
