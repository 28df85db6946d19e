"""The quebec_dcat plugin: the portal's DCAT-AP 3 profile as ckanext-dcat's default."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from ckanext.quebec import cli
from ckanext.quebec.common.plugin_base import ConcernPlugin
from ckanext.quebec.dcat import cli as dcat_cli

from . import actions, compat_dcat, compat_rdflib, helpers, views  # noqa: F401

PROFILES_OPTION = "ckanext.dcat.rdf.profiles"
PROFILES = "euro_dcat_ap_3 quebec_dcat_ap_3"


@tk.blanket.config_declarations
class QuebecDcatPlugin(ConcernPlugin):
    p.implements(p.IClick)

    # no auth module: its actions are ckanext-dcat's, chained (quebec_harvest owns the import)
    actions, helpers, views = actions, helpers, views

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        super().update_config(config)
        # CKAN has already filled in ckanext-dcat's declared default by now, so
        # "not set by the admin" reads as "still ckanext-dcat's default".
        if config.get(PROFILES_OPTION) in (None, "", compat_dcat.default_rdf_profiles()):
            config[PROFILES_OPTION] = PROFILES

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands(dcat_cli.dcat)
