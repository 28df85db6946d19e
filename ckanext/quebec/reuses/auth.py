"""Auth functions of the quebec_reuses plugin: anyone logged in submits, sysadmins or the datasets' publishers approve."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from . import store


def get_auth_functions() -> dict:
    return {"quebec_reuse_create": quebec_reuse_create, "quebec_reuse_show": anyone,
            "quebec_reuse_search": anyone, "quebec_reuse_approve": reviewers_only,
            "quebec_reuse_reject": reviewers_only, "quebec_reuse_delete": sysadmins_only}


def may_review(user_name: Optional[str], reuse: Optional[dict[str, Any]]) -> bool:
    """Sysadmins, and whoever may edit one of the reuse's datasets (its publishers)."""
    if not user_name or reuse is None:
        return False
    if authz.is_sysadmin(user_name):
        return True
    for dataset_id in reuse["datasets"]:
        try:
            tk.check_access("package_update", {"user": user_name}, {"id": dataset_id})
            return True
        except (tk.NotAuthorized, tk.ObjectNotFound):
            continue
    return False


def quebec_reuse_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone logged in."""
    if context.get("user") and authz.get_user_id_for_username(context["user"], allow_none=True):
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to submit a reuse")}


def reviewers_only(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins and the publishers of one of the reuse's datasets."""
    reuse = store.get(str((data_dict or {}).get("id") or ""))
    if may_review(context.get("user"), reuse):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only sysadmins and the publishers of its datasets may review a reuse")}


def sysadmins_only(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins only."""
    return {"success": False, "msg": tk._("Only sysadmins may delete a reuse")}


@tk.auth_allow_anonymous_access
def anyone(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone; pending and rejected reuses are shown only to their submitter and reviewers."""
    return {"success": True}
