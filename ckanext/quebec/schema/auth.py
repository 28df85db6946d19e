"""Auth functions of the quebec_schema plugin."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["quebec_vocabulary_list"]


@tk.auth_allow_anonymous_access
def quebec_vocabulary_list(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Anyone may read the vocabularies, anonymous visitors included, as with core's vocabulary_list."""
    return {"success": True}


def get_auth_functions() -> dict:
    return {"quebec_vocabulary_list": quebec_vocabulary_list}
