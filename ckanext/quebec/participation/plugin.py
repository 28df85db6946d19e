"""The quebec_participation plugin: citizens suggest data, vote and comment; organizations answer."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.quebec.common.plugin_base import ConcernPlugin

from . import actions, auth, campaigns, helpers, social, views


@tk.blanket.config_declarations
class QuebecParticipationPlugin(ConcernPlugin):
    auth, helpers, views = auth, helpers, views

    # IActions

    def get_actions(self) -> dict:
        # Three modules hold them: suggestions (actions), votes and comments (social), campaigns.
        return {name: getattr(module, name)
                for module in (actions, social, campaigns) for name in module.__all__}
