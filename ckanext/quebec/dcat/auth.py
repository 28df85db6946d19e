"""Auth functions of quebec_dcat."""
from __future__ import annotations

from ckan.types import AuthResult, Context, DataDict


def quebec_dcat_import(context: Context, data_dict: DataDict) -> AuthResult:
    """Only sysadmins (who pass every auth function) may import a DCAT feed."""
    return {"success": False}


def get_auth_functions() -> dict:
    return {"quebec_dcat_import": quebec_dcat_import}
