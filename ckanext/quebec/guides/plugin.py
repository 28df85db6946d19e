"""The quebec_guides plugin: the portal's pedagogical section, bilingual guides managed by sysadmins and guide editors.

Guides live in the suite's own tables (migration ``quebec_guides``), not in
CKAN datasets: a guide is no dataset, and as a dataset type it would show in
the catalogue's search, DCAT feeds, quality scores and harvests, need an
organization, and its draft/editor workflow would fight CKAN's organization
permissions::

    ckan.plugins = ... quebec_guides
    ckan db upgrade -p quebec_guides
"""
from __future__ import annotations

from ckanext.quebec.common.plugin_base import ConcernPlugin

from . import actions, auth, helpers, views


class QuebecGuidesPlugin(ConcernPlugin):
    actions, auth, helpers, views = actions, auth, helpers, views
