"""Auth functions of quebec_viz: reading a preview is seeing the resource; rebuilding it is editing the resource."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["quebec_viz_preview_show", "quebec_viz_rows", "quebec_viz_chart_data",
           "quebec_viz_features", "quebec_viz_preview_build"]


def _check(auth: str, context: Context, data_dict: DataDict) -> AuthResult:
    try:
        tk.check_access(auth, context, data_dict)
    except tk.NotAuthorized as error:
        return {"success": False, "msg": str(error)}
    return {"success": True}


@tk.auth_allow_anonymous_access
def quebec_viz_preview_show(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Whoever may see the resource may read its preview."""
    return _check("resource_show", context, {"id": (data_dict or {}).get("resource_id")})


@tk.auth_allow_anonymous_access
def quebec_viz_rows(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Whoever may see the resource may read its preview rows."""
    return _check("resource_show", context, {"id": (data_dict or {}).get("resource_id")})


@tk.auth_allow_anonymous_access
def quebec_viz_chart_data(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Whoever may see the resource may read its chart series."""
    return _check("resource_show", context, {"id": (data_dict or {}).get("resource_id")})


@tk.auth_allow_anonymous_access
def quebec_viz_features(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Whoever may see the resource may read its map features."""
    return _check("resource_show", context, {"id": (data_dict or {}).get("resource_id")})


def quebec_viz_preview_build(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Whoever may edit the resource may rebuild its preview."""
    return _check("resource_update", context, {"id": (data_dict or {}).get("resource_id")})


def get_auth_functions() -> dict:
    return {name: globals()[name] for name in __all__}
