"""The quebec_theme plugin: the portal's face on Québec's design system (SDG), a home page and texts in fr and en.

Enable it last or anywhere in ``ckan.plugins``; every other plugin of the
suite works without it. It brings templates (header with the Québec
signature, footer, home and About pages), the SDG's tokens, fonts and
signature as public files, and its stylesheet as a webassets library.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib import i18n

from ckanext.quebec.translation import SuiteTranslation

from . import config, helpers

CKAN_DEFAULT_SITE_TITLE = "CKAN"
CKAN_DEFAULT_FAVICON = "/base/images/ckan.ico"
SDG_FAVICON = "/quebec-theme/vendor/favicon.ico"


@tk.blanket.config_declarations
class QuebecThemePlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITemplateHelpers)

    # IConfigurer

    def update_config(self, config_: "tk.CKANConfig") -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")
        tk.add_resource("assets", "quebec_theme")
        # CKAN's placeholder name would head every page title
        if (config_.get("ckan.site_title") or CKAN_DEFAULT_SITE_TITLE) == CKAN_DEFAULT_SITE_TITLE:
            config_["ckan.site_title"] = config_.get(config.PORTAL_NAME)
        # and CKAN's logo would be the tab's icon: the SDG's, unless one is configured
        if (config_.get("ckan.favicon") or CKAN_DEFAULT_FAVICON) == CKAN_DEFAULT_FAVICON:
            config_["ckan.favicon"] = SDG_FAVICON

    # IConfigurable

    def configure(self, config_: "tk.CKANConfig") -> None:
        config.check()
        # Only `ckan run` and `ckan translation js` write the catalogue of CKAN's scripts
        # (slug preview, "Show more"...); under gunicorn or in tests they would speak English.
        i18n.build_js_translations()

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return helpers.get_helpers()
