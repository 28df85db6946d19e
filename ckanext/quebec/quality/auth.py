"""Auth functions of the quebec_quality plugin."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from . import validators

__all__ = ["quebec_quality_run", "quebec_quality_show", "quebec_quality_reference_grant",
           "quebec_quality_reference_withdraw"]


def quebec_quality_run(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Those who may edit the dataset may have it checked."""
    return _delegate("package_update", context, data_dict)


@tk.auth_allow_anonymous_access
def quebec_quality_show(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Those who may see the dataset may see its quality."""
    return _delegate("package_show", context, data_dict)


def quebec_quality_reference_grant(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Only sysadmins (acting for the government's digital data manager) grant the reference badge."""
    return {"success": False, "msg": tk._("Only a system administrator may grant the reference designation")}


def quebec_quality_reference_withdraw(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Only sysadmins withdraw the reference badge."""
    return {"success": False, "msg": tk._("Only a system administrator may withdraw the reference designation")}


def _delegate(action: str, context: Context, data_dict: DataDict | None) -> AuthResult:
    identifier = (data_dict or {}).get("id")
    if identifier is not None:  # checked before core looks it up: an id of 1.5 or with a NUL made it fail
        try:
            identifier = validators.dataset_reference(identifier)
        except tk.Invalid:
            raise tk.ObjectNotFound(tk._("Dataset not found"))
    try:
        tk.check_access(action, context, {"id": identifier})
    except tk.NotAuthorized as error:
        return {"success": False, "msg": str(error)}
    except tk.ObjectNotFound:
        raise
    return {"success": True}


def get_auth_functions() -> dict:
    return {name: globals()[name] for name in __all__}
