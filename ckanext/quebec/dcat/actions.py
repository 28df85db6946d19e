"""API actions of quebec_dcat: ckanext-dcat's catalogue with hydra views (the DCAT import: quebec_harvest)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from . import compat_dcat, feed, profiles, validators


def _catalog_schema() -> dict[str, Any]:
    ignore_missing, ignore = tk.get_validator("ignore_missing"), tk.get_validator("ignore")
    return {
        "id": [ignore_missing, validators.catalog_text],
        "page": [ignore_missing, validators.catalog_page],
        "q": [ignore_missing, validators.catalog_text],
        "fq": [ignore_missing, validators.catalog_text],
        "format": [ignore_missing, validators.catalog_format],
        "modified_since": [ignore_missing, validators.catalog_date],
        "profiles": [ignore_missing, validators.catalog_profiles],
        "__extras": [ignore],
    }


def _validated(context: Context, data_dict: DataDict) -> DataDict:
    """The catalogue parameters checked and normalized; empty ones left out."""
    given = {key: value for key, value in data_dict.items() if value not in (None, "", [])}
    data, errors = tk.navl_validate(given, _catalog_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _serialized(serialize, data_dict: DataDict) -> str:
    """``serialize(serializer)`` with the requested profiles; an unknown profile is a ValidationError."""
    from ckanext.dcat.exceptions import RDFProfileException

    try:
        serializer = feed.QuebecRDFSerializer(profiles=data_dict.get("profiles"))
    except RDFProfileException as error:
        raise tk.ValidationError({"profiles": [str(error)]})
    return serialize(serializer)


def _catalog_page(context: Context, data_dict: DataDict) -> str:
    from ckan.lib.search import SearchError

    data_dict = _validated(context, data_dict)
    try:
        query = compat_dcat.search_datasets(context, data_dict)
    except (SearchError, tk.ValidationError):
        raise tk.ValidationError({"q": [tk._("The search query is not valid")]})
    with profiles.partners_of(query["results"]), profiles.related_of(query["results"]):
        return _serialized(lambda serializer: serializer.serialize_catalog(
            {}, query["results"], _format=data_dict.get("format"),
            pagination_info=compat_dcat.pagination_info(query, data_dict)), data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(next_action: Action, context: Context, data_dict: DataDict) -> str:
    """ckanext-dcat's dataset in RDF, through the suite's serializer (valid IRIs and literals).

    :param id: the dataset's id or name
    :type id: string
    :param format: ``ttl``, ``rdf``, ``xml``, ``n3`` or ``jsonld``
    :type format: string
    :param profiles: RDF profiles, a list or separated by commas (optional)
    :type profiles: list of strings
    :rtype: string
    """
    tk.check_access("dcat_dataset_show", context, data_dict)
    data_dict = _validated(context, data_dict)
    dataset = tk.get_action("package_show")(context, {"id": data_dict.get("id", "")})
    with profiles.partners_of([dataset]), profiles.related_of([dataset]):
        return _serialized(lambda serializer: serializer.serialize_dataset(
            dataset, _format=data_dict.get("format")), data_dict)


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


def get_actions() -> dict[str, Any]:
    return {"dcat_catalog_show": dcat_catalog_show, "dcat_catalog_search": dcat_catalog_search,
            "dcat_dataset_show": dcat_dataset_show}
