"""Auth functions of the quebec_participation plugin (sysadmins pass every one, as in CKAN core)."""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from . import store

__all__ = ["quebec_suggestion_create", "quebec_suggestion_show", "quebec_suggestion_list",
           "quebec_suggestion_update_status", "quebec_suggestion_moderate", "quebec_suggestion_merge",
           "quebec_suggestion_vote", "quebec_suggestion_unvote", "quebec_comment_create",
           "quebec_comment_list", "quebec_comment_moderate", "quebec_participation_optout",
           "quebec_campaign_create", "quebec_campaign_show", "quebec_campaign_list",
           "quebec_campaign_entry_create", "quebec_campaign_close", "quebec_campaign_vote",
           "quebec_campaign_unvote"]


def _logged_in(context: Context) -> AuthResult:
    # CKAN refuses anonymous callers before this runs (no auth_allow_anonymous_access).
    return {"success": bool(context.get("user"))}


def _sysadmin_only(message: str) -> AuthResult:
    # Reached by non-sysadmins only: CKAN lets sysadmins through before calling the function.
    return {"success": False, "msg": message}


@tk.auth_allow_anonymous_access
def _anyone(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    return {"success": True}


def quebec_suggestion_create(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Any logged-in account suggests data."""
    return _logged_in(context)


quebec_suggestion_show = _anyone
quebec_suggestion_list = _anyone
quebec_comment_list = _anyone
quebec_campaign_show = _anyone
quebec_campaign_list = _anyone


def answers_for(user: Optional[str], owner_org: Optional[str]) -> bool:
    """Whether ``user`` is an editor or admin of ``owner_org`` (or a sysadmin)."""
    if not user:
        return False
    if authz.is_sysadmin(user):
        return True
    return bool(owner_org) and authz.has_user_permission_for_group_or_org(owner_org, user, "create_dataset")


def _suggestion_org(data_dict: Optional[DataDict]) -> Optional[str]:
    given: Any = (data_dict or {}).get("id")
    found = store.get(given) if isinstance(given, str) and "\x00" not in given and len(given) <= 100 else None
    return found["owner_org"] if found else None


def quebec_suggestion_update_status(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """The editors and admins of the suggestion's organization; sending it to another organization: sysadmins."""
    if "owner_org" in (data_dict or {}):
        return _sysadmin_only(tk._("Only a sysadmin may send a suggestion to an organization"))
    if answers_for(context.get("user"), _suggestion_org(data_dict)):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only the editors and admins of the organization the suggestion is sent to may answer it")}


def quebec_suggestion_moderate(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Sysadmins hide and show suggestions."""
    return _sysadmin_only(tk._("Only a sysadmin may moderate"))


def quebec_suggestion_merge(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Sysadmins merge duplicates."""
    return _sysadmin_only(tk._("Only a sysadmin may moderate"))


def quebec_comment_moderate(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Sysadmins hide and show comments."""
    return _sysadmin_only(tk._("Only a sysadmin may moderate"))


def quebec_campaign_create(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Sysadmins open campaigns."""
    return _sysadmin_only(tk._("Only a sysadmin may open a campaign"))


def quebec_campaign_close(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Sysadmins close campaigns."""
    return _sysadmin_only(tk._("Only a sysadmin may close a campaign"))


def quebec_campaign_entry_create(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Sysadmins write candidates into campaigns."""
    return _sysadmin_only(tk._("Only a sysadmin may add a candidate to a campaign"))


def _account_action(context: Context, data_dict: Optional[DataDict]) -> AuthResult:
    """Any logged-in account, for itself."""
    return _logged_in(context)


quebec_suggestion_vote = _account_action
quebec_suggestion_unvote = _account_action
quebec_comment_create = _account_action
quebec_participation_optout = _account_action
quebec_campaign_vote = _account_action
quebec_campaign_unvote = _account_action


def get_auth_functions() -> dict:
    return {name: globals()[name] for name in __all__}
