"""ckanext-harvest's reports in their reader's language: its actions that return error messages, chained.

The harvest pages, the API and the notification e-mails all read a job's
errors through these actions, so each message is translated there
(messages.py): into the request's language (``/en/harvest/...``,
``/en/api/3/action/...``), else the portal's default one (``/api/...``, e-mails).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import messages

# ckanext-harvest's actions whose answer holds errors' messages (a job's error
# summaries and report, a source's last job, an object's errors).
_READ = ("harvest_job_show", "harvest_job_report", "harvest_source_show_status",
         "harvest_object_show")
_WRITE = ("harvest_job_abort",)


def _localized(name: str, read: bool) -> Any:
    def action(original: Any, context: dict, data_dict: dict) -> Any:
        # Its own auth function (ckanext-harvest's harvest_job_report asks harvest_job_show's).
        tk.check_access(name, context, data_dict)
        return messages.localize(original(context, data_dict))

    action.__name__ = name
    action.__doc__ = (f"ckanext-harvest's ``{name}``, with every error message in the reader's "
                      "language (the request's, else the portal's default one).")
    action = tk.chained_action(action)
    return tk.side_effect_free(action) if read else action


def get_actions() -> dict[str, Any]:
    return {name: _localized(name, name in _READ) for name in _READ + _WRITE}
