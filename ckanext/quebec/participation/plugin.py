"""The quebec_participation plugin: citizens suggest data, vote and comment; organizations answer."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth, campaigns, helpers, social, views


@tk.blanket.config_declarations
class QuebecParticipationPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IBlueprint)

    # IConfigurer

    def update_config(self, config) -> None:
        tk.add_template_directory(config, "templates")

    # IActions

    def get_actions(self) -> dict:
        return {name: getattr(module, name)
                for module in (actions, social, campaigns) for name in module.__all__}

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return auth.get_auth_functions()

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return helpers.get_helpers()

    # IBlueprint

    def get_blueprint(self):
        return views.get_blueprints()
