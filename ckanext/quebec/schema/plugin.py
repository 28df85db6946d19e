"""The quebec_schema plugin: the portal's metadata schema, its bilingual fields and its vocabularies.

Enable it after ckanext-scheming's dataset plugin::

    ckan.plugins = ... scheming_datasets quebec_schema

It points scheming at the suite's schema and presets unless the site sets
``scheming.dataset_schemas`` / ``scheming.presets`` itself.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec import cli, csrf
from ckanext.quebec.common.plugin_base import ConcernPlugin

from . import actions, auth, facets, groups, helpers, index, validators

DATASET_SCHEMAS = "ckanext.quebec.schemas:dataset.yaml"
PRESETS = "ckanext.scheming:presets.json ckanext.quebec.schemas:presets.yaml"


@tk.blanket.config_declarations
class QuebecSchemaPlugin(ConcernPlugin):
    p.implements(p.IClick)
    p.implements(p.IValidators)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    actions, auth, helpers = actions, auth, helpers

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        super().update_config(config)
        changed = False
        for key, value in (("scheming.dataset_schemas", DATASET_SCHEMAS),
                           ("scheming.presets", PRESETS)):
            if not config.get(key):
                config[key] = value
                changed = True
        if changed:
            _reload_scheming(config)

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands()

    # IValidators

    def get_validators(self) -> dict:
        return validators.get_validators()

    # IFacets

    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return facets.dataset_facets(facets_dict, package_type)

    def group_facets(self, facets_dict: Any, group_type: str, package_type: str | None) -> Any:
        return facets.group_facets(facets_dict, package_type)

    def organization_facets(self, facets_dict: Any, organization_type: str,
                            package_type: str | None) -> Any:
        return facets.group_facets(facets_dict, package_type)

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return index.before_dataset_index(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return facets.label_facet_items(search_results)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        groups.after_dataset_saved(context, pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        groups.after_dataset_saved(context, pkg_dict)

    # IMiddleware

    def make_middleware(self, app: Any, config: "tk.CKANConfig") -> Any:
        # The suite's forms under CSRF protection on CKAN 2.11 and 2.12 (see csrf.py).
        csrf.install()
        return app


def _reload_scheming(config: "tk.CKANConfig") -> None:
    """Have scheming read the options just set, if it configured itself before us.

    CKAN calls update_config in plugin order, and scheming_datasets comes
    first: it has loaded its (empty) schema list already.
    """
    try:
        from ckanext.scheming.plugins import SchemingDatasetsPlugin
    except ImportError:
        return
    instance = SchemingDatasetsPlugin.instance
    if instance is not None and p.plugin_loaded("scheming_datasets"):
        instance.update_config(config)
