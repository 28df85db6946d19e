"""The quebec_reuses plugin: what people build with the portal's data, submitted by anyone logged in, public once approved.

ckanext-showcase 1.5.1, the last release on PyPI, does not start on CKAN 2.11
or 2.12 (toolkit.add_ckan_admin_tab is gone; its model uses Table.exists() and
sqlalchemy.orm.mapper, removed in SQLAlchemy 2.0), so reuses live in the
suite's own table (migration ``quebec_reuses``)::

    ckan.plugins = ... quebec_reuses
    ckan db upgrade -p quebec_reuses
"""
from __future__ import annotations

from ckanext.quebec.common.plugin_base import ConcernPlugin

from . import actions, auth, helpers, views


class QuebecReusesPlugin(ConcernPlugin):
    actions, auth, helpers, views = actions, auth, helpers, views
