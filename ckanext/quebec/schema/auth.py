"""Auth functions of the quebec_schema plugin."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from . import groups

__all__ = ["quebec_vocabulary_list", "member_create"]


@tk.auth_allow_anonymous_access
def quebec_vocabulary_list(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Anyone may read the vocabularies, anonymous visitors included, as with core's vocabulary_list."""
    return {"success": True}


@tk.chained_auth_function
def member_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """A dataset joins or leaves a group only by someone who may edit it (and, unless the group is a category, the group).

    Core lets any member of a group add any dataset to it, private ones
    included. A category group's members are the dataset's categories field
    (groups.py), which its editors set whatever their groups. Core's
    member_delete auth asks this function too.
    """
    found = groups.dataset_membership(data_dict)
    if found is None:
        return next_auth(context, data_dict)
    group, package = found
    # A copy: package_update's auth leaves the dataset in the context it is given.
    if not authz.is_authorized("package_update", dict(context), {"id": package.id})["success"]:
        return {"success": False,
                "msg": tk._("User {user} not authorized to edit dataset {dataset}").format(
                    user=context.get("user"), dataset=package.name)}
    if groups.is_category_group(group, package):
        return {"success": True}
    return next_auth(context, data_dict)


def get_auth_functions() -> dict:
    return {"quebec_vocabulary_list": quebec_vocabulary_list, "member_create": member_create}
