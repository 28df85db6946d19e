"""The quebec_dcat plugin: the portal's DCAT-AP 3 profile as ckanext-dcat's default."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from ckanext.quebec import cli
from ckanext.quebec.translation import SuiteTranslation

PROFILES_OPTION = "ckanext.dcat.rdf.profiles"
PROFILES = "euro_dcat_ap_3 quebec_dcat_ap_3"


@tk.blanket.config_declarations
class QuebecDcatPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IClick)

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        # CKAN has already filled in ckanext-dcat's declared default by now, so
        # "not set by the admin" reads as "still ckanext-dcat's default".
        from ckanext.dcat.processors import _get_default_rdf_profiles

        if config.get(PROFILES_OPTION) in (None, "", _get_default_rdf_profiles()):
            config[PROFILES_OPTION] = PROFILES

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands()
