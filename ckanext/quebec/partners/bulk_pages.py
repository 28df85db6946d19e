"""The Private, Public and Delete buttons of an organization's dataset list (core's bulk_process page).

quebec_partners makes the bulk updates themselves (actions.py ``_bulk_update``);
core's page calls them and catches only NotAuthorized. A dataset its schema
refuses as it stands ended in a server error (500) on the page, as did a
form naming no action core knows. Here the page's view is wrapped: the
refused datasets are named in a message on the list (the others were
changed), and a form without a known action gets a 400 in the user's language.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan import model

# The actions core's view knows, and its buttons' names in the form.
_ACTIONS = ("private", "public", "delete")
_BUTTONS = {f"bulk_action.{action}" for action in _ACTIONS}
_ENDPOINT_SUFFIX = ".bulk_process"


def guard(app: Any) -> None:
    """Wrap the bulk_process view of every organization type registered on ``app``."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.endswith(_ENDPOINT_SUFFIX):
            app.view_functions[endpoint] = _guarded(view)


def _guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def bulk_process(*args: Any, **kwargs: Any) -> Any:
        if tk.request.method == "POST" and _form_action(tk.request.form) not in _ACTIONS:
            tk.abort(400, tk._("Choose what to do with the selected datasets: make them "
                               "public, make them private or delete them."))
        try:
            return view(*args, **kwargs)
        except tk.ValidationError as error:
            tk.h.flash_error(_refusal(error.error_dict))
            # Back to the list, in the page's language (as core redirects).
            return tk.redirect_to(tk.request.endpoint, id=tk.request.view_args["id"])
    return bulk_process


def _form_action(form: Any) -> str | None:
    """The action core's view reads from the form, as it reads it (None: none)."""
    for key, value in form.items():
        if value in ("private", "public"):
            return key.split(".")[-1]
    return next((key.split(".")[-1] for key in form if key in _BUTTONS), None)


def _refusal(errors: dict[str, Any]) -> str:
    """The datasets left as they are and why, in the user's language."""
    refused = [f"{_name(dataset_id)} ({_reasons(fields)})"
               for entry in errors.get("datasets") or [] if isinstance(entry, dict)
               for dataset_id, fields in entry.items()]
    if not refused:
        return tk._("The datasets could not be changed: {reasons}").format(reasons=errors)
    return tk._("These datasets were left as they are; the others were changed. Correct each "
                "one (edit it), then try again: {datasets}").format(datasets=", ".join(refused))


def _name(dataset_id: str) -> str:
    dataset = model.Package.get(dataset_id)
    return dataset.name if dataset else dataset_id


def _reasons(fields: Any) -> str:
    """``field: message`` for each field of a validation error, ``;`` between them."""
    if not isinstance(fields, dict):
        return str(fields)
    return "; ".join(
        f"{field}: " + (" ".join(map(str, messages)) if isinstance(messages, list) else str(messages))
        for field, messages in fields.items())
