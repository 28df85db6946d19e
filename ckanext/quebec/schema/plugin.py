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

from ckanext.quebec import cli
from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth, helpers, index, validators

DATASET_SCHEMAS = "ckanext.quebec.schemas:dataset.yaml"
PRESETS = "ckanext.scheming:presets.json ckanext.quebec.schemas:presets.yaml"


@tk.blanket.config_declarations
class QuebecSchemaPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IClick)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IValidators)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        tk.add_template_directory(config, "templates")
        changed = False
        for key, value in (("scheming.dataset_schemas", DATASET_SCHEMAS),
                           ("scheming.presets", PRESETS)):
            if not config.get(key):
                config[key] = value
                changed = True
        if changed:
            _reload_scheming(config)

    # IActions

    def get_actions(self) -> dict:
        return actions.get_actions()

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return auth.get_auth_functions()

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands()

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return helpers.get_helpers()

    # IValidators

    def get_validators(self) -> dict:
        return validators.get_validators()

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return index.before_dataset_index(pkg_dict)


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
