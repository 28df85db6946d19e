"""The quebec_partners plugin: the Partenariat Données Québec organization model, directory, facets and statistics.

It builds on quebec_schema (bilingual fields, vocabularies, their validators
and form snippets), which must be enabled too::

    ckan.plugins = ... scheming_organizations quebec_schema quebec_partners
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec import cli
from ckanext.quebec.common.plugin_base import ConcernPlugin
from ckanext.quebec.partners import cli as partners_cli

from . import actions, auth, bulk_pages, helpers, indexing, validators, views

log = logging.getLogger(__name__)

REQUIRED_PLUGINS = ("quebec_schema", "scheming_organizations")


class MissingPlugin(RuntimeError):
    """A plugin quebec_partners builds on is not enabled."""


@tk.blanket.config_declarations
class QuebecPartnersPlugin(ConcernPlugin):
    p.implements(p.IValidators)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IClick)
    p.implements(p.IMiddleware, inherit=True)

    actions, auth, helpers, views = actions, auth, helpers, views

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        missing = [name for name in REQUIRED_PLUGINS if not p.plugin_loaded(name)]
        if missing:
            raise MissingPlugin(
                "quebec_partners needs {plugins}: add {plugins} to ckan.plugins "
                "(e.g. ckan.plugins = ... scheming_organizations quebec_schema "
                "quebec_partners)".format(plugins=" and ".join(missing)))
        super().update_config(config)

    # IMiddleware

    def make_middleware(self, app: Any, config: "tk.CKANConfig") -> Any:
        # Core's organization list buttons: a refused dataset named, not a 500.
        if hasattr(app, "view_functions"):
            bulk_pages.guard(app)
        else:
            log.warning("quebec_partners: a plugin before it in ckan.plugins wraps CKAN's app;"
                        " the organization list's bulk buttons keep core's error pages")
        return app

    # IValidators

    def get_validators(self) -> dict:
        return validators.get_validators()

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict) -> dict:
        return indexing.add_partner_fields(pkg_dict)

    def after_dataset_search(self, search_results: dict, search_params: dict) -> dict:
        return indexing.label_facet_items(search_results)

    # IFacets

    def dataset_facets(self, facets_dict: dict, package_type: str) -> dict:
        facets_dict.update(indexing.facet_titles())
        return facets_dict

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands(partners_cli.partners)
