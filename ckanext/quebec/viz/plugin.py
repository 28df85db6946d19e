"""The quebec_viz plugins: preview extracts (jobs, API, dataset page) and the table, chart and map views.

Enable ``quebec_viz`` with any of the three view plugins (CKAN's
IResourceView gives one view type per plugin)::

    ckan.plugins = ... quebec_viz quebec_table_view quebec_chart_view quebec_map_view

A CKAN jobs worker must run: extracts are built in the background.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.quebec.common.plugin_base import ConcernPlugin

from . import actions, auth, extract, helpers, jobs, storage, validators

TEMPLATES = "templates"
ASSETS = ("assets", "quebec_viz")


@tk.blanket.config_declarations
class QuebecVizPlugin(ConcernPlugin):
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    actions, auth, helpers = actions, auth, helpers

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        super().update_config(config)
        tk.add_resource(*ASSETS)

    # IResourceController

    def after_resource_create(self, context: Context, resource: dict[str, Any]) -> None:
        jobs.enqueue_if_needed(resource)

    def after_resource_update(self, context: Context, resource: dict[str, Any]) -> None:
        jobs.enqueue_if_needed(resource)

    def before_resource_delete(self, context: Context, resource: dict[str, Any],
                               resources: list[dict[str, Any]]) -> None:
        storage.delete(resource["id"])

    # IPackageController

    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("resources"):
            jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        # resources added or changed inline (package_update/patch) fire no resource hook
        jobs.enqueue_changed(pkg_dict["id"])


class _QuebecView(p.SingletonPlugin):
    """What the three view plugins share: templates and assets of quebec_viz, extract in the template."""

    p.implements(p.IConfigurer)
    p.implements(p.IResourceView, inherit=True)

    view_type = ""

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        tk.add_template_directory(config, TEMPLATES)
        tk.add_resource(*ASSETS)

    # IResourceView

    def setup_template_variables(self, context: Context, data_dict: DataDict) -> dict[str, Any]:
        return helpers.view_variables(self.view_type, data_dict["resource"],
                                      data_dict.get("resource_view") or {})

    def view_template(self, context: Context, data_dict: DataDict) -> str:
        return f"quebec/viz/{self.view_type}_view.html"


class QuebecTableViewPlugin(_QuebecView):
    view_type = "quebec_table"

    def info(self) -> dict[str, Any]:
        return {"name": self.view_type, "title": tk._("Table"), "icon": "table",
                "default_title": tk._("Table"), "iframed": False,
                "default_description": tk._("The first rows of the file, to sort and filter")}

    def can_view(self, data_dict: DataDict) -> bool:
        return extract.can_extract(data_dict["resource"])


class QuebecChartViewPlugin(_QuebecView):
    view_type = "quebec_chart"

    def info(self) -> dict[str, Any]:
        return {"name": self.view_type, "title": tk._("Chart"), "icon": "chart-bar",
                "default_title": tk._("Chart"), "iframed": False, "preview_enabled": False,
                "schema": validators.chart_view_schema()}

    def can_view(self, data_dict: DataDict) -> bool:
        return extract.can_extract(data_dict["resource"])

    def form_template(self, context: Context, data_dict: DataDict) -> str:
        return "quebec/viz/quebec_chart_form.html"


class QuebecMapViewPlugin(_QuebecView):
    view_type = "quebec_map"

    def info(self) -> dict[str, Any]:
        return {"name": self.view_type, "title": tk._("Map"), "icon": "map-marker",
                "default_title": tk._("Map"), "iframed": False,
                "schema": validators.map_view_schema()}

    def can_view(self, data_dict: DataDict) -> bool:
        resource = data_dict["resource"]
        return extract.can_extract(resource) or extract.is_wms(resource)

    def form_template(self, context: Context, data_dict: DataDict) -> str:
        return "quebec/viz/quebec_map_form.html"
