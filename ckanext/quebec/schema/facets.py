"""Search facets on the schema's choice fields, their values labelled in the visitor's language.

Facets only use CKAN's public hooks (IFacets, and after_dataset_search for
the labels), so they work the same on Solr and on quebec_search. The labels
come from the vocabularies: ``display_name`` of each facet item of
package_search (the API and the search page) is the value's label in the
interface language, or the value itself when the vocabulary does not know it.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from . import helpers, vocabularies

# The vocabulary of each facet field's values. Category groups are named
# after the categories (see groups.py), so the groups facet shares their labels.
VOCABULARY_OF_FACET = {
    "categories": "categories",
    "groups": "categories",
    "territories": "territories",
    "update_frequency": "update_frequencies",
    "language": "data_languages",
    "res_type": "resource_types",
    "license_id": "licences",
}


def schema_facets(package_type: str | None = None) -> list[tuple[str, str]]:
    """The facets the dataset schema declares (``facet: true``): (index field, title in the interface language).

    Dataset fields come first, then resource fields, in the schema's order.
    """
    from ckanext.scheming.helpers import scheming_get_dataset_schema, scheming_language_text

    schema = scheming_get_dataset_schema(package_type or "dataset") or {}
    return [
        (field.get("facet_field", field["field_name"]),
         scheming_language_text(field.get("facet_label", field["label"])))
        for key in ("dataset_fields", "resource_fields")
        for field in schema.get(key, [])
        if field.get("facet")
    ]


def dataset_facets(facets_dict: "OrderedDict[str, Any]",
                   package_type: str | None = None) -> "OrderedDict[str, Any]":
    """CKAN's facets with the schema's in the place of ``groups`` and ``tags``.

    The categories are the groups (kept in step with them), and the schema's
    keywords replace tags, which its datasets do not have.
    """
    ours = schema_facets(package_type)
    out: OrderedDict[str, Any] = OrderedDict()
    for name, title in facets_dict.items():
        if name == "groups":
            out.update(ours)
        elif name != "tags":
            out[name] = title
    out.update((name, title) for name, title in ours if name not in out)
    facets_dict.clear()
    facets_dict.update(out)
    return facets_dict


def group_facets(facets_dict: "OrderedDict[str, Any]",
                 package_type: str | None = None) -> "OrderedDict[str, Any]":
    """A group's or organization's page: its facets plus the schema's."""
    facets_dict.pop("tags", None)
    for name, title in schema_facets(package_type):
        facets_dict.setdefault(name, title)
    return facets_dict


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """Give each facet item of ``search_results`` its vocabulary label as ``display_name``."""
    language = helpers.interface_language()
    for field, facet in (search_results.get("search_facets") or {}).items():
        vocabulary = VOCABULARY_OF_FACET.get(field)
        if not vocabulary:
            continue
        for item in facet.get("items", []):
            label = vocabularies.label(vocabulary, item.get("name"), language)
            if label:
                item["display_name"] = label
    return search_results
