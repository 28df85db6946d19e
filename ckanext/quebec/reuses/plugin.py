"""The quebec_reuses plugin: what people build with the portal's data, submitted by anyone logged in, public once approved.

ckanext-showcase 1.5.1, the last release on PyPI, does not start on CKAN 2.11
or 2.12 (toolkit.add_ckan_admin_tab is gone; its model uses Table.exists() and
sqlalchemy.orm.mapper, removed in SQLAlchemy 2.0), so reuses live in the
suite's own table (migration ``quebec_reuses``)::

    ckan.plugins = ... quebec_reuses
    ckan db upgrade -p quebec_reuses
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth, helpers, views


class QuebecReusesPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IBlueprint)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ITemplateHelpers)

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        tk.add_template_directory(config, "templates")

    # IBlueprint

    def get_blueprint(self) -> list:
        return views.get_blueprints()

    # IActions

    def get_actions(self) -> dict:
        return actions.get_actions()

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return auth.get_auth_functions()

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return helpers.get_helpers()
