"""Auth functions of quebec_harvest."""
from __future__ import annotations

from ckan import authz
from ckan.types import AuthResult, Context, DataDict


def quebec_dcat_import(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins (who pass every auth function) and the admins of the organization imported into."""
    organization = data_dict.get("organization")
    return {"success": isinstance(organization, str) and authz.has_user_permission_for_group_or_org(
        organization, context.get("user"), "admin")}


def get_auth_functions() -> dict:
    return {"quebec_dcat_import": quebec_dcat_import}
