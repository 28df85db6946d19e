"""Auth functions of the quebec_partners plugin."""
from __future__ import annotations

from typing import Optional

import ckan.authz as authz
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from . import umbrella

__all__ = ["quebec_partnership_stats", "quebec_partner_activity_show", "package_activity_list"]


@tk.auth_allow_anonymous_access
def quebec_partnership_stats(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Anyone may read the partnership statistics; private datasets count only for those who may see them."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def quebec_partner_activity_show(context: Context, data_dict: DataDict | None) -> AuthResult:
    """The whole activity of a partner (its private datasets' included): its members and its umbrellas' admins."""
    user = context.get("user")
    organization = model.Group.get((data_dict or {}).get("id") or "")
    if organization is None or not user:
        return {"success": False}
    if authz.has_user_permission_for_group_or_org(organization.id, user, "read") \
            or is_umbrella_admin(user, organization.id):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the partner's members and the admins of its umbrella "
                                           "partners may see its whole activity")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_activity_list(next_auth: AuthFunction, context: Context,
                          data_dict: DataDict) -> AuthResult:
    """Core's rule (who may see the dataset), and the admins of its publisher's umbrella partners."""
    dataset = model.Package.get((data_dict or {}).get("id") or "")
    if dataset is not None and dataset.owner_org and is_umbrella_admin(context.get("user"), dataset.owner_org):
        return {"success": True}
    return next_auth(context, data_dict)


def is_umbrella_admin(user: Optional[str], organization: Optional[str]) -> bool:
    """Whether ``user`` is an admin of an umbrella partner above ``organization`` (at any level)."""
    if not user or not organization:
        return False
    group = model.Group.get(organization)
    seen = set()
    while group is not None and group.id not in seen:
        seen.add(group.id)
        # By id only: a name may since have been taken by somebody else's organization.
        group = umbrella.stored_umbrella(group)
        if group is not None and group.state == "active" and \
                authz.users_role_for_group_or_org(group.id, user) == "admin":
            return True
    return False


def get_auth_functions() -> dict:
    functions = {
        "quebec_partnership_stats": quebec_partnership_stats,
        "quebec_partner_activity_show": quebec_partner_activity_show,
    }
    if p.plugin_loaded("activity"):
        functions["package_activity_list"] = package_activity_list
    return functions
