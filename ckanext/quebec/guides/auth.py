"""Auth functions of the quebec_guides plugin: sysadmins and guide editors manage guides, everyone reads published ones."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from . import store

# Actions that write or reveal drafts: sysadmins and guide editors.
MANAGING = ("quebec_guide_create", "quebec_guide_update", "quebec_guide_publish",
            "quebec_guide_unpublish", "quebec_guide_delete", "quebec_guide_revision_list")
# Actions that name guide editors: sysadmins only (CKAN lets sysadmins through every auth function).
NAMING_EDITORS = ("quebec_guide_editor_add", "quebec_guide_editor_remove", "quebec_guide_editor_list")


def get_auth_functions() -> dict:
    functions = {name: managers_only for name in MANAGING}
    functions.update({name: sysadmins_only for name in NAMING_EDITORS})
    functions.update({"quebec_guide_show": anyone, "quebec_guide_search": anyone})
    return functions


def may_manage(user_name: str | None) -> bool:
    """Whether ``user_name`` is a sysadmin or a guide editor."""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    user = model.User.get(user_name)
    return user is not None and user.state == "active" and store.is_editor(user.id)


def managers_only(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins and guide editors."""
    if may_manage(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only sysadmins and guide editors may manage guides")}


def sysadmins_only(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins only."""
    return {"success": False, "msg": tk._("Only sysadmins may name guide editors")}


@tk.auth_allow_anonymous_access
def anyone(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone; quebec_guide_show and quebec_guide_search give drafts only to those who manage guides."""
    return {"success": True}
