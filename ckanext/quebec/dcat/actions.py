"""API actions of quebec_dcat: ckanext-dcat's catalogue with hydra views, and the DCAT import."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from . import feed, profiles


def _catalog_page(context: Context, data_dict: DataDict) -> str:
    from ckanext.dcat.logic import _pagination_info, _search_ckan_datasets

    query = _search_ckan_datasets(context, data_dict)
    serializer = feed.QuebecRDFSerializer(profiles=data_dict.get("profiles"))
    with profiles.partners_of(query["results"]):
        return serializer.serialize_catalog(
            {}, query["results"], _format=data_dict.get("format"),
            pagination_info=_pagination_info(query, data_dict),
        )


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(next_action: Action, context: Context, data_dict: DataDict) -> str:
    """ckanext-dcat's catalogue page, with its hydra links as a hydra:PartialCollectionView.

    :param page: the page, from 1 (optional)
    :type page: int
    :param modified_since: only datasets modified since this ISO 8601 date (optional)
    :type modified_since: string
    :param format: ``ttl``, ``rdf``, ``xml``, ``n3`` or ``jsonld``
    :type format: string
    :rtype: string
    """
    tk.check_access("dcat_catalog_show", context, data_dict)
    return _catalog_page(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(next_action: Action, context: Context, data_dict: DataDict) -> str:
    """ckanext-dcat's catalogue search, with its hydra links as a hydra:PartialCollectionView.

    :param q: the search query (optional)
    :type q: string
    :param fq: a filter query (optional)
    :type fq: string
    :param page: the page, from 1 (optional)
    :type page: int
    :param format: ``ttl``, ``rdf``, ``xml``, ``n3`` or ``jsonld``
    :type format: string
    :rtype: string
    """
    tk.check_access("dcat_catalog_search", context, data_dict)
    return _catalog_page(context, data_dict)


def _import_schema() -> dict[str, Any]:
    not_empty, unicode_safe, ignore_missing, boolean_validator = (
        tk.get_validator(name)
        for name in ("not_empty", "unicode_safe", "ignore_missing", "boolean_validator")
    )
    return {
        "organization": [not_empty, unicode_safe],
        "url": [ignore_missing, unicode_safe],
        "data": [ignore_missing, unicode_safe],
        "format": [ignore_missing, unicode_safe],
        "dry_run": [ignore_missing, boolean_validator],
    }


def quebec_dcat_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Import a partner's DCAT feed into its organization (sysadmins only).

    Datasets are matched by ``dct:identifier``: created, or updated; never
    deleted. hydra pages are followed up to
    ``ckanext.quebec.dcat.import_max_pages``.

    :param organization: the organization (name or id) the datasets go to
    :type organization: string
    :param url: the feed's http(s) URL (or give ``data``)
    :type url: string
    :param data: the feed itself, as text (Turtle, RDF/XML or JSON-LD)
    :type data: string
    :param format: ``turtle``, ``xml`` or ``json-ld`` for ``data`` (guessed if left out)
    :type format: string
    :param dry_run: validate and report, write nothing (default false)
    :type dry_run: bool
    :returns: ``created`` and ``updated`` dataset names, ``skipped``
        (``identifier`` and ``reason``), ``pages`` read and ``dry_run``
    :rtype: dict
    """
    from . import importer

    tk.check_access("quebec_dcat_import", context, data_dict)
    data, errors = tk.navl_validate(data_dict, _import_schema(), context)
    if not data.get("url") and not data.get("data"):
        errors.setdefault("url", []).append(tk._("Give the feed's url or its data"))
    if errors:
        raise tk.ValidationError(errors)
    try:
        report = importer.import_feed(
            data.get("url") or "", data["organization"], user=context["user"],
            dry_run=data.get("dry_run", False),
            data=data["data"].encode("utf-8") if data.get("data") else None,
            data_format=data.get("format", ""),
        )
    except importer.FeedRefused as error:
        raise tk.ValidationError({"url" if data.get("url") else "data": [str(error)]})
    return report.as_dict()


def get_actions() -> dict[str, Any]:
    return {"dcat_catalog_show": dcat_catalog_show, "dcat_catalog_search": dcat_catalog_search,
            "quebec_dcat_import": quebec_dcat_import}
