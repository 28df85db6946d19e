"""The suite's forms under CSRF protection on CKAN 2.11 and 2.12, whatever a request did before.

Two CKAN behaviours leave them unprotected; :func:`install` (called by
quebec_schema's IMiddleware hook, once the app's blueprints are registered)
corrects both in CKAN's process-wide CSRF object:

- CKAN 2.12.0 exempts a request made with an API token or without a session
  by ``csrf.exempt(view)`` (ckan/config/middleware/flask_app.py:443), which adds
  the view to Flask-WTF's exemption set for good: after one such request,
  cookie-session POSTs to that form (any form, core's too) are accepted without
  a token. Its set is replaced by :class:`RequestExemptions`, in which a view
  exempted during a request is exempted for that request only, as CKAN 2.11
  does (``exempt_this_request``).
- CKAN 2.11 exempts every plugin's blueprints while
  ``ckan.csrf_protection.ignore_extensions`` is true, its default
  (flask_app.py:337-339). The suite's forms all carry their token, so its
  ``quebec_*`` blueprints are protected in any case.
"""
from __future__ import annotations

from typing import Any

import flask

import ckan

# CKAN versions whose CSRF object this module was tested against.
TESTED_VERSIONS = ("2.11.6", "2.12.0")
SUITE_BLUEPRINT_PREFIX = "quebec_"
_REQUEST_KEY = "_quebec_csrf_exempt_views"


class RequestExemptions(set):
    """Flask-WTF's ``_exempt_views``: an exemption added during a request holds for that request."""

    def add(self, view: Any) -> None:
        if flask.has_request_context():
            flask.g.setdefault(_REQUEST_KEY, set()).add(view)
        else:
            super().add(view)

    def __contains__(self, view: Any) -> bool:
        return super().__contains__(view) or (
            flask.has_request_context() and view in flask.g.get(_REQUEST_KEY, ()))


def install() -> None:
    """Protect the suite's blueprints and keep exemptions per request; stop on an untested CKAN."""
    from ckan.config.middleware import flask_app

    if ckan.__version__ not in TESTED_VERSIONS:
        raise RuntimeError(
            f"ckanext-quebec: ckanext/quebec/csrf.py corrects the CSRF exemptions of CKAN "
            f"{', '.join(TESTED_VERSIONS)}, not {ckan.__version__}: check ckan_before_request and "
            "_exempt_plugins_blueprints_from_csrf in ckan/config/middleware/flask_app.py, "
            "then update it.")
    csrf = flask_app.csrf
    csrf._exempt_blueprints.difference_update([
        blueprint for blueprint in csrf._exempt_blueprints
        if blueprint.name.startswith(SUITE_BLUEPRINT_PREFIX)])
    if not hasattr(csrf, "exempt_this_request") and not isinstance(
            csrf._exempt_views, RequestExemptions):
        csrf._exempt_views = RequestExemptions(csrf._exempt_views)
