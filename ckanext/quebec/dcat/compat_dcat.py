"""Every use of ckanext-dcat's private names, in one place, for the tested version only.

ckanext-dcat has no public hook for these; each is named here with why:

- ``CleanedURIRef._careful_quote``: replaced by ``careful_quote`` (the same
  text in one pass; it took a tenth of a dataset's serialization);
- ``RDFProfile._add_date_triple``: the base profile's way of writing a date
  (the portal's dates must read as the base profile's do), and overridden by
  ``with_fast_dates`` to skip dateutil for plain ISO 8601;
- ``RDFProfile._parse_geodata``: the base profile's reading of a GeoJSON or
  WKT geometry, so that the extent reads as ckanext-dcat reads it;
- ``RDFProfile._org_cache``: the class-wide organization cache the base
  profiles read, filled with the page's partners (``share_organizations``);
- ``RDFSerializer._load_profiles`` and ``_add_pagination_triples``: overridden
  by ``Serializer``, which calls the public-looking hooks ``load_profiles``
  and ``complete_pagination`` of its subclasses;
- ``ckanext.dcat.logic._search_ckan_datasets`` and ``_pagination_info``: the
  search and hydra paging of ``dcat_catalog_show``, which the suite wraps;
- ``ckanext.dcat.processors._get_default_rdf_profiles``: the default of
  ``ckanext.dcat.rdf.profiles``, to tell it from an administrator's choice.

Importing this module checks the installed version (``check_version``): an
untested ckanext-dcat stops CKAN at start-up with a message naming the tested
versions, rather than failing later inside a request.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable
from urllib.parse import quote

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from ckanext.dcat import logic as _logic
from ckanext.dcat import processors as _processors
from ckanext.dcat.profiles import CleanedURIRef
from ckanext.dcat.profiles.base import RDFProfile

from . import tested_versions

DISTRIBUTION = "ckanext-dcat"
TESTED_VERSIONS = ("2.4.4",)


def check_version(installed: str | None = None) -> None:
    """Raise RuntimeError unless ``installed`` (default: the installed ckanext-dcat) was tested."""
    tested_versions.require(DISTRIBUTION, TESTED_VERSIONS, "ckanext/quebec/dcat/compat_dcat.py",
                            "private names", installed)


check_version()


# CleanedURIRef percent-encodes a few characters of every IRI with one
# str.replace and one urllib quote() per character. One translation table
# gives the same text: the replacements ("%20"...) hold none of the
# characters replaced.
_CAREFUL_QUOTES = str.maketrans({c: quote(c) for c in " !\"$'()*,;<>[]{|}\\^`"})


def careful_quote(value: str) -> str:
    """What ``CleanedURIRef._careful_quote`` gives, in one pass."""
    return value.translate(_CAREFUL_QUOTES)


if getattr(CleanedURIRef._careful_quote, "__module__", None) != __name__:  # not yet replaced
    upstream_careful_quote = CleanedURIRef._careful_quote  # for the test that compares them
    CleanedURIRef._careful_quote = staticmethod(careful_quote)


def add_date_triple(profile: RDFProfile, subject: Node, predicate: Node, value: Any) -> None:
    """A date statement written as the profile's ``_add_date_triple`` writes it."""
    profile._add_date_triple(subject, predicate, value)


def with_fast_dates(profile_class: type, fast: Callable[[Any], str | None]) -> type:
    """``profile_class`` whose dates that ``fast`` reads as xsd:dateTime text skip dateutil."""

    def _add_date_triple(self, subject, predicate, value, _type=Literal):
        text = fast(value)
        if text is None:
            return profile_class._add_date_triple(self, subject, predicate, value, _type)
        self.g.add((subject, predicate, _type(text, datatype=XSD.dateTime)))

    return type(profile_class.__name__, (profile_class,), {
        "_add_date_triple": _add_date_triple, "__module__": profile_class.__module__,
    })


def parse_geodata(profile: RDFProfile, subject: Node, predicate: Node) -> str | None:
    """The GeoJSON of ``subject``'s geometry under ``predicate``, as the base profile reads it."""
    return profile._parse_geodata(subject, predicate, None)


def share_organizations(organizations: Iterable[dict[str, Any]]) -> None:
    """Give ckanext-dcat's profiles these organization dicts (their cache never expires)."""
    RDFProfile._org_cache.update({o["id"]: o for o in organizations})


def load_profiles(profile_names: list[str]) -> list[type]:
    """The profile classes of ``profile_names``, from their entry points."""
    return _processors.RDFSerializer._load_profiles(None, list(profile_names))


def default_rdf_profiles() -> str:
    """ckanext-dcat's default for ``ckanext.dcat.rdf.profiles``."""
    return _processors._get_default_rdf_profiles()


def search_datasets(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """``dcat_catalog_show``'s package_search."""
    return _logic._search_ckan_datasets(context, data_dict)


def pagination_info(query: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """``dcat_catalog_show``'s hydra paging of a search."""
    return _logic._pagination_info(query, data_dict)


class Serializer(_processors.RDFSerializer):
    """ckanext-dcat's serializer with its private steps as hooks for subclasses."""

    def load_profiles(self, profile_names: list[str]) -> list[type]:
        return load_profiles(profile_names)

    def complete_pagination(self, view: Node, paging_info: dict[str, Any]) -> None:
        """Called with the hydra view ckanext-dcat wrote for a page."""

    def _load_profiles(self, profile_names: list[str]) -> list[type]:
        return self.load_profiles(profile_names)

    def _add_pagination_triples(self, paging_info: dict[str, Any]):
        view = super()._add_pagination_triples(paging_info)
        self.complete_pagination(view, paging_info)
        return view
