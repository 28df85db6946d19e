"""The quebec_schema plugin: the portal's metadata schema and its vocabularies."""
from __future__ import annotations

import ckan.plugins as p

from ckanext.quebec import cli
from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth


class QuebecSchemaPlugin(SuiteTranslation):
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IClick)

    # IActions

    def get_actions(self) -> dict:
        return actions.get_actions()

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return auth.get_auth_functions()

    # IClick

    def get_commands(self) -> list:
        return cli.get_commands()
