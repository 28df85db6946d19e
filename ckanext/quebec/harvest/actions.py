"""quebec_dcat_import: the suite's DCAT import through the API, a front-end of ckanext-harvest (imports.py)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.quebec.dcat import validators

from . import imports

__all__ = ["quebec_dcat_import"]


def _import_schema() -> dict[str, Any]:
    not_empty, unicode_safe, ignore_missing, name_validator = (
        tk.get_validator(name)
        for name in ("not_empty", "unicode_safe", "ignore_missing", "name_validator")
    )
    return {
        # a name or an id (what core's organization_show would take, without its NUL error)
        "organization": [not_empty, unicode_safe, name_validator],
        "url": [ignore_missing, unicode_safe],
        "data": [ignore_missing, unicode_safe],
        "format": [ignore_missing, unicode_safe],
        "dry_run": [ignore_missing, validators.boolean],
    }


def _checked(context: Context, data_dict: DataDict) -> DataDict:
    data, errors = tk.navl_validate(data_dict, _import_schema(), context)
    if not data.get("url") and not data.get("data"):
        errors.setdefault("url", []).append(tk._("Give the feed's url or its data"))
    elif not data.get("data") and urlparse(data["url"]).scheme not in ("http", "https"):
        errors.setdefault("url", []).append(
            tk._("Only http and https URLs can be imported: {0}").format(data["url"]))
    if data.get("format") and data["format"] not in imports.MEDIA_TYPES:
        errors.setdefault("format", []).append(
            tk._("The format is one of: {0}").format(", ".join(imports.MEDIA_TYPES)))
    if errors:
        raise tk.ValidationError(errors)
    return data


def quebec_dcat_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Harvest a partner's DCAT feed into its organization now, as one job of its harvest source.

    The organization's DCAT harvest source for the URL (registered on the
    first import, frequency MANUAL) runs one job in this request: datasets
    are created, updated, or withdrawn when gone from the feed, as any
    harvest of the source does. hydra pages are followed up to
    ``ckanext.quebec.dcat.import_max_pages``. Sysadmins, and the
    organization's admins.

    :param organization: the organization (name or id) the datasets go to
    :type organization: string
    :param url: the feed's http(s) URL (or give ``data``)
    :type url: string
    :param data: the feed itself, as text (Turtle, RDF/XML or JSON-LD): the
        organization's source for given documents reads it
    :type data: string
    :param format: ``turtle``, ``xml`` or ``json-ld`` for ``data`` (guessed if left out)
    :type format: string
    :param dry_run: read and validate every record, write nothing (default false)
    :type dry_run: bool
    :returns: the harvest ``source`` and ``job`` (None for a dry run), the names
        ``created``, ``updated``, ``not_modified`` and ``deleted``, ``errors``
        (``identifier``: the record's guid, None for the feed's; ``message``
        in the reader's language) and ``dry_run``
    :rtype: dict
    """
    tk.check_access("quebec_dcat_import", context, data_dict)
    data = _checked(context, data_dict)
    field, given, url = "url", None, data.get("url")
    try:
        if data.get("data"):
            field, url = "data", imports.document_url(data["organization"], "data")
            given = imports.document(data["data"].encode("utf-8"), data.get("format", ""))
        return imports.run(url, data["organization"], user=context["user"],
                           dry_run=data.get("dry_run", False), given=given)
    except imports.NotRead as error:
        raise tk.ValidationError({field: error.messages})
