"""Typed readers of the quebec_quality options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.quebec import tabular

from .validation import Options

PREFIX = "ckanext.quebec.quality."


def _get(name: str):
    return tk.config.get(PREFIX + name)


def limits() -> tabular.Limits:
    timeout = float(_get("timeout"))
    return tabular.Limits(
        max_bytes=int(_get("max_file_size")) << 20, connect_timeout=timeout, read_timeout=timeout,
        total_timeout=float(_get("total_timeout")), max_redirects=int(_get("max_redirects")),
        allow_private=tk.asbool(_get("allow_private_addresses")))


def validation_options() -> Options:
    return Options(limits=limits(), memory_limit=str(_get("memory_limit")), threads=int(_get("threads")),
                   max_errors=int(_get("max_errors")), max_geojson_bytes=int(_get("max_geojson_size")) << 20,
                   max_columns=int(_get("max_columns")))


def sync_time_limit() -> float:
    return float(_get("sync_time_limit"))


def validation_time_limit() -> float:
    return float(_get("validation_time_limit"))


def link_check_days() -> int:
    return int(_get("link_check_days"))


def background() -> bool:
    return tk.asbool(_get("background"))
