"""Auth functions of quebec_dcat: none of its own (ckanext-dcat's serve its chained actions;
quebec_harvest owns quebec_dcat_import's)."""
from __future__ import annotations


def get_auth_functions() -> dict:
    return {}
