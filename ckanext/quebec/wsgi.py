"""The portal's WSGI application for a production server (gunicorn, uWSGI), as CKAN's documented wsgi.py builds it.

    CKAN_INI=/etc/ckan/ckan.ini gunicorn 'ckanext.quebec.wsgi:create_app()'

uWSGI and mod_wsgi look for a module attribute instead: a two-line file
``from ckanext.quebec.wsgi import create_app; application = create_app()``.
"""
from __future__ import annotations

import logging
import os


def create_app(ini_path: str | None = None):
    """CKAN's app for the configuration file ``ini_path`` (default: ``$CKAN_INI``).

    :raises KeyError: no path is given and CKAN_INI is not set.
    """
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    path = os.path.abspath(ini_path or os.environ["CKAN_INI"])
    # CKAN's loader applies the file's logging sections with logging.config's
    # default, which disables every logger set up before: the server's own
    # (gunicorn's access log would stay empty). Those are enabled again.
    servers = [logger for logger in logging.root.manager.loggerDict.values()
               if isinstance(logger, logging.Logger) and not logger.disabled]
    config = CKANConfigLoader(path).get_config()
    for logger in servers:
        logger.disabled = False
    return make_app(config)
