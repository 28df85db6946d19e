"""The quebec_guides plugin: the portal's pedagogical section, bilingual guides managed by sysadmins and guide editors.

Guides live in the suite's own tables (migration ``quebec_guides``), not in
CKAN datasets: a guide is no dataset, and as a dataset type it would show in
the catalogue's search, DCAT feeds, quality scores and harvests, need an
organization, and its draft/editor workflow would fight CKAN's organization
permissions::

    ckan.plugins = ... quebec_guides
    ckan db upgrade -p quebec_guides
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth, helpers, views


class QuebecGuidesPlugin(SuiteTranslation):
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
