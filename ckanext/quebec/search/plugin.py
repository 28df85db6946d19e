"""The quebec_search plugin: CKAN's dataset search on PostgreSQL instead of Solr."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec import cli
from ckanext.quebec.translation import SuiteTranslation

from . import backend


class QuebecSearchPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IPluginObserver, inherit=True)
    p.implements(p.IClick)

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        # Runs before CKAN's start-up Solr check, and again whenever plugins
        # are (re)loaded, as CKAN's test fixtures do.
        backend.install()

    # IPluginObserver

    def after_unload(self, service: p.SingletonPlugin) -> None:
        if service is self:
            backend.uninstall()

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands()
