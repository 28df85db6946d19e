"""The guides and reuses of the datasets being serialized (quebec_guides, quebec_reuses), read once per page.

A published guide linked to a dataset, or to one of its categories, is the
dataset's documentation: ``foaf:page`` to the guide's page, a
``foaf:Document`` with its title in French and English. DCAT-AP 3.0.0 has two
places for it: ``foaf:page`` ("documentation", range foaf:Document) and
``dcat:qualifiedRelation`` (a ``dcat:Relationship`` that needs a
``dcat:hadRole`` from a role vocabulary DCAT-AP does not fix). A guide is
documentation of the dataset, which is exactly what ``foaf:page`` says, and
what harvesters (data.europa.eu, ckanext-dcat) read and show as such.

An approved reuse is ``dct:isReferencedBy`` its page on the portal (DCAT-AP
3.0.0: "a related resource, such as a publication, that references, cites, or
otherwise points to the dataset"), with its title in French and English.
Drafts, pending and rejected reuses never appear; a reuse is only written
under the datasets being serialized, which the reader may see, and names none
of its other datasets.

Parsing drops them again: they are the portal's own pages, not fields of the
dataset (a feed of the portal read back does not freeze them as documentation).
"""
from __future__ import annotations

import contextlib
import contextvars
import json
from typing import Any, Iterator

from rdflib import URIRef
from rdflib.term import Node

import ckan.plugins as p

from ckanext.dcat.profiles import DCT, FOAF, RDF

from .. import config
from ...schema.jsonvalue import from_json
from .base import LANGUAGES, _TranslatedLiterals

GUIDES_PLUGIN = "quebec_guides"
REUSES_PLUGIN = "quebec_reuses"
# The extras ckanext-dcat's base profiles read foaf:page and dct:isReferencedBy into.
_PARSED_KEYS = ("documentation", "is_referenced_by")

# The guides and reuses of the page's datasets, by dataset id: (guides, reuses).
_page_related: contextvars.ContextVar[dict[str, tuple[list, list]] | None] = contextvars.ContextVar(
    "quebec_dcat_page_related", default=None
)


@contextlib.contextmanager
def related_of(datasets: list[dict[str, Any]]) -> Iterator[None]:
    """Within the block, the guides and reuses of ``datasets`` are known: two queries for all of them."""
    token = _page_related.set(_lookup(datasets))
    try:
        yield
    finally:
        _page_related.reset(token)


def _categories(dataset_dict: dict[str, Any]) -> set[str]:
    names = {group.get("name") if isinstance(group, dict) else group
             for group in dataset_dict.get("groups") or []}
    return {name for name in names if name}


def _lookup(datasets: list[dict[str, Any]]) -> dict[str, tuple[list, list]]:
    """Each dataset's published guides and approved reuses, by dataset id."""
    datasets = [dataset for dataset in datasets if dataset.get("id")]
    ids = [dataset["id"] for dataset in datasets]
    guides: list[dict[str, Any]] = []
    reuses: list[dict[str, Any]] = []
    if ids and p.plugin_loaded(GUIDES_PLUGIN):
        from ckanext.quebec.guides import store as guides_store

        categories = set().union(*(_categories(dataset) for dataset in datasets))
        guides = guides_store.published_linked_to(ids, sorted(categories))
    if ids and p.plugin_loaded(REUSES_PLUGIN):
        from ckanext.quebec.reuses import store as reuses_store

        reuses = reuses_store.approved_using(ids)
    related = {}
    for dataset in datasets:
        categories = _categories(dataset)
        related[dataset["id"]] = (
            [guide for guide in guides
             if dataset["id"] in guide["datasets"] or categories & set(guide["categories"])],
            [reuse for reuse in reuses if dataset["id"] in reuse["datasets"]])
    return related


def _titles(item: dict[str, Any]) -> dict[str, str]:
    return {language: item[f"title_{language}"] for language in LANGUAGES
            if item.get(f"title_{language}")}


def guide_uri(name: str) -> str:
    return f"{config.site_url()}/guides/{name}"


def reuse_uri(reuse_id: str) -> str:
    return f"{config.site_url()}/reuses/{reuse_id}"


class RelatedMixin(_TranslatedLiterals):
    """The dataset's guides (``foaf:page``) and reuses (``dct:isReferencedBy``), written; dropped on reading."""

    def _add_related(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        dataset_id = dataset_dict.get("id")
        if not dataset_id:
            return
        page = _page_related.get()
        if page is None or dataset_id not in page:  # serialized outside a page: its own lookup
            page = _lookup([dataset_dict])
        guides, reuses = page.get(dataset_id, ([], []))
        for guide in guides:
            document = URIRef(guide_uri(guide["name"]))
            self.g.add((dataset_ref, FOAF.page, document))
            self.g.add((document, RDF.type, FOAF.Document))
            self._add_translated(document, DCT.title, _titles(guide))
        for reuse in reuses:
            reference = URIRef(reuse_uri(reuse["id"]))
            self.g.add((dataset_ref, DCT.isReferencedBy, reference))
            self._add_translated(reference, DCT.title, _titles(reuse))

    def _parse_related(self, dataset_dict: dict[str, Any]) -> None:
        """Drop the portal's own guide and reuse pages from what the base profiles read."""
        own = (guide_uri(""), reuse_uri(""))
        kept = []
        for extra in dataset_dict.get("extras") or []:
            if extra.get("key") in _PARSED_KEYS:
                values = from_json(extra.get("value"), None)
                if isinstance(values, list):
                    values = [value for value in values if not str(value).startswith(own)]
                    if not values:
                        continue
                    extra = dict(extra, value=json.dumps(values))
            kept.append(extra)
        dataset_dict["extras"] = kept
