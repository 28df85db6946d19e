"""The quebec_dcat plugin: the portal's DCAT-AP 3 profile as ckanext-dcat's default."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from ckanext.quebec import cli
from ckanext.quebec.dcat import cli as dcat_cli
from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth, compat_dcat, compat_rdflib, helpers, views  # noqa: F401

PROFILES_OPTION = "ckanext.dcat.rdf.profiles"
PROFILES = "euro_dcat_ap_3 quebec_dcat_ap_3"


@tk.blanket.config_declarations
class QuebecDcatPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.IBlueprint)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ITemplateHelpers)

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        # CKAN has already filled in ckanext-dcat's declared default by now, so
        # "not set by the admin" reads as "still ckanext-dcat's default".
        if config.get(PROFILES_OPTION) in (None, "", compat_dcat.default_rdf_profiles()):
            config[PROFILES_OPTION] = PROFILES

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands(dcat_cli.dcat)

    # IBlueprint

    def get_blueprint(self) -> list:
        return views.get_blueprints()

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return helpers.get_helpers()

    # IActions

    def get_actions(self) -> dict:
        return actions.get_actions()

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return auth.get_auth_functions()
