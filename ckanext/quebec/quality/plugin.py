"""The quebec_quality plugin: metadata score, data validation, link checks and the reference-data badge."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec import cli as suite_cli
from ckanext.quebec.common.plugin_base import ConcernPlugin

from . import actions, auth, cli, config, helpers, indexing, jobs, views


@tk.blanket.config_declarations
class QuebecQualityPlugin(ConcernPlugin):
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IClick)

    actions, auth, helpers, views = actions, auth, helpers, views

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        super().update_config(config)
        tk.add_resource("assets", "quebec_quality")

    # IPackageController

    def after_dataset_create(self, context, pkg_dict: dict) -> None:
        self._enqueue(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict: dict) -> None:
        # resource_create/update/delete go through package_update: one hook covers them
        self._enqueue(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict) -> dict:
        return indexing.add_quality_fields(pkg_dict)

    def after_dataset_show(self, context, pkg_dict: dict) -> dict:
        return indexing.add_to_dataset(pkg_dict)

    def after_dataset_search(self, search_results: dict, search_params: dict) -> dict:
        return indexing.label_facet_items(indexing.add_to_results(search_results))

    # IFacets

    def dataset_facets(self, facets_dict: dict, package_type: str) -> dict:
        facets_dict.update(indexing.facet_titles())
        return facets_dict

    def organization_facets(self, facets_dict: dict, organization_type: str, package_type) -> dict:
        facets_dict.update(indexing.facet_titles())
        return facets_dict

    # IClick

    def get_commands(self) -> list:
        return suite_cli.get_commands(cli.quality)

    @staticmethod
    def _enqueue(context, pkg_dict: dict) -> None:
        if not config.background() or not pkg_dict.get("id") or context.get("quebec_quality_skip"):
            return
        jobs.enqueue_after_commit(pkg_dict["id"])
