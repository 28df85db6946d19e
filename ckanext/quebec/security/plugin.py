"""The quebec_security plugin: security headers (Content-Security-Policy and others) on every response.

    ckan.plugins = ... quebec_security
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.quebec.translation import SuiteTranslation

from . import helpers, policy


class NotAFlaskApp(RuntimeError):
    """Another plugin's middleware hid CKAN's Flask app from quebec_security."""


@tk.blanket.config_declarations
class QuebecSecurityPlugin(SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer

    def update_config(self, config: "tk.CKANConfig") -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "quebec_security")

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        return helpers.get_helpers()

    # IMiddleware

    def make_middleware(self, app: Any, config: "tk.CKANConfig") -> Any:
        if not hasattr(app, "after_request"):
            raise NotAFlaskApp(
                "quebec_security must come before any plugin whose middleware wraps "
                "CKAN's Flask app: move it left in ckan.plugins")
        # Built once here: a wrong option stops start-up instead of every response.
        headers = policy.security_headers()

        def add_security_headers(response):
            for name, value in headers.items():
                response.headers.setdefault(name, value)
            return response

        app.after_request(add_security_headers)
        return app
