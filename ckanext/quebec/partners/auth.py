"""Auth functions of the quebec_partners plugin."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["quebec_partnership_stats"]


@tk.auth_allow_anonymous_access
def quebec_partnership_stats(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Anyone may read the partnership statistics; private datasets count only for those who may see them."""
    return {"success": True}


def get_auth_functions() -> dict:
    return {"quebec_partnership_stats": quebec_partnership_stats}
