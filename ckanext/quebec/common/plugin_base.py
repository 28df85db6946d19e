"""ConcernPlugin: the base of a concern's plugin class, which wires the concern's own modules into CKAN.

A concern's package holds ``actions``, ``helpers`` and, when it has actions
of its own, ``auth`` and, when it has pages, ``views`` modules, a ``templates/`` folder and, when it has tables, its Alembic
migrations under ``ckanext/quebec/migration/<plugin>/`` (CKAN finds them from
the plugin class's file: ``ckan db upgrade -p <plugin>``). The subclass names
its modules; everything else is the same for every such concern::

    class QuebecGuidesPlugin(ConcernPlugin):
        actions, auth, helpers, views = actions, auth, helpers, views

A concern that does more implements its other interfaces beside these
(IPackageController, IClick, ...) and extends ``update_config`` through
``super()`` (a required plugin, its assets, a default option).
"""
from __future__ import annotations

import inspect
import os
from types import ModuleType

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec.translation import SuiteTranslation

# The template macros the concerns share (quebec/common/...).
COMMON_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def templates_of(plugin_class: type) -> str:
    """The ``templates/`` folder beside the module that defines ``plugin_class``."""
    return os.path.join(os.path.dirname(os.path.abspath(inspect.getsourcefile(plugin_class))),
                        "templates")


class ConcernPlugin(SuiteTranslation):
    """Templates, blueprints, actions, auth functions and helpers of the concern's modules."""

    p.implements(p.IConfigurer)
    p.implements(p.IBlueprint)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ITemplateHelpers)

    actions: ModuleType
    auth: ModuleType | None = None  # a concern with no action of its own has no auth function
    helpers: ModuleType
    views: ModuleType | None = None  # a concern without pages registers no blueprint

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        tk.add_template_directory(config, templates_of(type(self)))
        tk.add_template_directory(config, COMMON_TEMPLATES)

    # IBlueprint

    def get_blueprint(self) -> list:
        return self.views.get_blueprints() if self.views else []

    # IActions

    def get_actions(self) -> dict:
        return self.actions.get_actions()

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return self.auth.get_auth_functions() if self.auth else {}

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return self.helpers.get_helpers()
