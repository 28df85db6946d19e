"""The facet fields whose counts the index keeps: chosen by configuration, applied by admins.

The index keeps the counts of some facet fields per segment (the documents
sharing one signature) and numbers their values in each document
(``facet_ids``): the portal's home page and any search filtered on signature
fields only then adds up a few counts instead of reading every document.

Which fields: ``ckanext.quebec.search.counted_fields`` (``default`` stands
for CKAN's ``search.facets`` and every facet the enabled plugins declare
through IFacets), at most ``ckanext.quebec.search.max_counted_fields`` of
them. Counting a field for the first time reads and rewrites every document
that holds it, writers waiting (72-79 s at 100,000 datasets): only
``ckan quebec search count-fields`` and ``ckan search-index rebuild`` do it,
never a search. A search reads which fields are counted (one cheap read,
always current, whatever process counted them) and counts the other fields
from the matching documents: the same figures.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Callable, Iterable, NamedTuple

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import click
import flask
import sqlalchemy as sa

from ckan.model import ensure_engine

from ckanext.quebec import config as suite_config

from . import fields as solr_fields
from .options import set_read_options

log = logging.getLogger(__name__)

# In ckanext.quebec.search.counted_fields, the facets CKAN and the enabled plugins declare.
DECLARED = "default"
# The counted fields among :fields, as one array.
_COUNTED_AMONG = "ARRAY(SELECT field FROM quebec_search_counted_field WHERE field = ANY(:fields))"


class NoRequest(RuntimeError):
    """The plugins' facets could not be read: neither a request nor a command's app."""


class Change(NamedTuple):
    counted: list[str]  # counted from now on
    forgotten: list[str]  # no longer counted


def configured_fields() -> list[str]:
    """The fields the configuration asks the index to count, in order, within the bound."""
    fields: list[str] = []
    for name in suite_config.search_counted_fields():
        fields.extend(declared_facets() if name == DECLARED else [name])
    countable = [field for field in dict.fromkeys(fields) if solr_fields.is_countable(field)]
    bound = suite_config.search_max_counted_fields()
    if len(countable) > bound:
        log.warning("quebec_search: %s lists %d countable fields, %s allows %d: %s not counted",
                    suite_config.SEARCH_COUNTED_FIELDS, len(countable),
                    suite_config.SEARCH_MAX_COUNTED_FIELDS, bound, ", ".join(countable[bound:]))
    return countable[:bound]


def declared_facets() -> list[str]:
    """CKAN's ``search.facets`` and the facets each IFacets plugin adds (dataset,
    organization and group pages), as the search pages ask for them."""
    def collect() -> list[str]:
        names = list(tk.aslist(tk.config.get("search.facets")))
        for plugin in p.PluginImplementations(p.IFacets):
            for facets in (plugin.dataset_facets(_facets(names), "dataset"),
                           plugin.organization_facets(_facets(names), "organization", "dataset"),
                           plugin.group_facets(_facets(names), "group", "dataset")):
                names.extend(facets or ())
        return list(dict.fromkeys(names))
    return _with_request(collect)


def counted_among(connection: sa.engine.Connection, fields: Iterable[str],
                  read_options: bool = False) -> set[str]:
    """The fields among ``fields`` the index counts now: a read, never a write.

    With ``read_options``, the statement that reads them also sets the
    search's read options (options.set_read_options): one round trip.
    """
    countable = [field for field in fields if solr_fields.is_countable(field)]
    if read_options:
        found = set_read_options(connection, _COUNTED_AMONG if countable else None,
                                 {"fields": countable})
        return set(found or ())
    if not countable:
        return set()
    return set(connection.execute(sa.text(f"SELECT {_COUNTED_AMONG}"),
                                  {"fields": countable}).scalar_one())


def counted_now(connection: sa.engine.Connection) -> list[str]:
    return sorted(connection.execute(sa.text(
        "SELECT field FROM quebec_search_counted_field")).scalars())


def uncounted_configured_fields() -> list[str]:
    """The configured fields the index does not count (yet)."""
    with ensure_engine().connect() as connection:
        current = set(counted_now(connection))
    return [field for field in configured_fields() if field not in current]


def apply_configuration() -> Change:
    """Count the configured fields not counted yet, forget those no longer configured."""
    wanted = configured_fields()
    with ensure_engine().connect() as connection:
        current = set(counted_now(connection))
    change = Change([field for field in wanted if field not in current],
                    sorted(current - set(wanted)))
    forget_fields(change.forgotten)
    count_fields(change.counted)
    return change


def count_fields(fields: list[str]) -> None:
    """Have the index keep counts of ``fields`` from now on (an admin's command, never a search).

    A field is counted once for all documents (and its values numbered in
    each document's ``facet_ids``), then the triggers keep its counts as
    documents are written. Writers wait meanwhile: a document written during
    the first count would be missed by it and by the triggers.
    """
    if not fields:
        return
    with ensure_engine().begin() as writer:
        missing = _locked_difference(writer, fields, counted=False)
        if not missing:
            return
        writer.execute(sa.text(
            "INSERT INTO quebec_search_facet_count (segment_id, field, value, documents) "
            "SELECT s.id, f.field, e.value, count(*) "
            "FROM quebec_search_document d "
            "JOIN quebec_search_segment s ON s.signature = d.signature "
            "CROSS JOIN unnest(CAST(:fields AS text[])) AS f(field) "
            "CROSS JOIN LATERAL jsonb_array_elements_text(d.fields -> f.field) AS e(value) "
            "GROUP BY s.id, f.field, e.value"), {"fields": missing})
        writer.execute(sa.text(
            "INSERT INTO quebec_search_counted_field (field)"
            " SELECT unnest(CAST(:fields AS text[]))"),
            {"fields": missing})
        # The documents' numbered values take the new fields in; no count
        # changes, so the counting trigger is off meanwhile (this
        # transaction only: the catalogue change is not seen outside it).
        writer.execute(sa.text(
            "ALTER TABLE quebec_search_document DISABLE TRIGGER quebec_search_count_update"))
        writer.execute(sa.text(
            "UPDATE quebec_search_document SET facet_ids = quebec_search_facet_ids(fields)"
            " WHERE quebec_search_field_names(fields) && CAST(:fields AS text[])"),
            {"fields": missing})
        writer.execute(sa.text(
            "ALTER TABLE quebec_search_document ENABLE TRIGGER quebec_search_count_update"))


def forget_fields(fields: list[str]) -> None:
    """Stop counting ``fields``; searches count them from the matching documents.

    Their numbers stay in the documents until each is written again (the
    numbering table keeps them: a number always names the same value).
    """
    if not fields:
        return
    with ensure_engine().begin() as writer:
        known = _locked_difference(writer, fields, counted=True)
        writer.execute(sa.text(
            "DELETE FROM quebec_search_facet_count WHERE field = ANY(:fields)"),
            {"fields": known})
        writer.execute(sa.text(
            "DELETE FROM quebec_search_counted_field WHERE field = ANY(:fields)"),
            {"fields": known})


def _locked_difference(writer: sa.engine.Connection, fields: list[str],
                       counted: bool) -> list[str]:
    """``fields`` counted (or not) once writers are held off: readers go on;
    writers, and another admin's change, wait."""
    writer.execute(sa.text("LOCK TABLE quebec_search_document IN SHARE ROW EXCLUSIVE MODE"))
    writer.execute(sa.text("LOCK TABLE quebec_search_counted_field IN SHARE ROW EXCLUSIVE MODE"))
    present = set(writer.execute(sa.text(
        "SELECT field FROM quebec_search_counted_field WHERE field = ANY(:fields)"),
        {"fields": fields}).scalars())
    return [field for field in fields if (field in present) == counted]


def _facets(names: list[str]) -> "OrderedDict[str, Any]":
    return OrderedDict((name, name) for name in names)


def _with_request(function: Callable[[], list[str]]) -> list[str]:
    """``function()`` where plugins may translate their facets' titles: a
    command has no request (CKAN's commands make one from the app they were given)."""
    if flask.has_request_context():
        return function()
    if flask.has_app_context():
        app = flask.current_app
    else:
        command = click.get_current_context(silent=True)
        app = command.meta.get("flask_app") if command else None
    if app is None:
        try:
            return function()
        except RuntimeError as error:  # flask's "Working outside of request context"
            raise NoRequest(str(error)) from error
    with app.test_request_context():
        return function()
