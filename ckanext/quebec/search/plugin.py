"""The quebec_search plugin: CKAN's dataset search on PostgreSQL instead of Solr."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec import cli
from ckanext.quebec import config as suite_config
from ckanext.quebec.translation import SuiteTranslation

from . import actions, backend, partitions, reindex  # noqa: F401  (partitions: a DDL listener)
from . import cli as search_cli


@tk.blanket.config_declarations
class QuebecSearchPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IClick)
    p.implements(p.IActions)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IGroupController, inherit=True)

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        # Runs before CKAN's start-up Solr check, and again whenever plugins
        # are (re)loaded, as CKAN's test fixtures do. Unloading is seen by
        # the backend itself (IPluginObserver never hears of its own plugin).
        backend.install()

    # IConfigurable

    def configure(self, config: "tk.CKANConfig") -> None:
        # A bad value stops CKAN at start-up, not a search later on.
        suite_config.search_max_counted_fields()

    # IActions

    def get_actions(self) -> dict:
        return actions.get_actions()

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands(search_cli.search)

    # IOrganizationController, IGroupController

    def edit(self, entity: model.Group) -> None:
        reindex.datasets_of_group(entity)

    def delete(self, entity: model.Group) -> None:
        reindex.datasets_of_group(entity)
