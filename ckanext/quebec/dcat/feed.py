"""The catalogue feed: hydra pages, and the whole catalogue streamed page by page.

A page is what ckanext-dcat's ``dcat_catalog_show`` serializes, with its
hydra links as a ``hydra:PartialCollectionView`` whose first/previous/next/last
are IRIs (ckanext-dcat writes a ``hydra:PagedCollection`` with literals; the
deprecated class and predicates are kept for harvesters that read them).

The full catalogue (``ckan quebec dcat export``) is written one page of
``package_search`` at a time: the catalogue's description, then each page's
datasets, serialized from a graph that holds only that page. N-Triples pages
are concatenated as they are (Turtle too, as N-Triples is valid Turtle);
RDF/XML and JSON-LD are built by writing each page's statements without the
document's head and tail, so the
memory used stays that of one page whatever the size of the catalogue.
"""
from __future__ import annotations

import datetime
import functools
import json
import re
from typing import IO, Any, Callable, Iterator
from urllib.parse import quote

import rdflib
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.stores.memory import SimpleMemory

import ckan.plugins.toolkit as tk

from ckanext.dcat.processors import HYDRA, RDF
from ckanext.dcat.profiles import DCAT
from ckanext.dcat.utils import catalog_uri

from . import compat_dcat, compat_rdflib
from .compat_dcat import careful_quote  # noqa: F401  (the feed's fast path, tested here)
from .profiles import partners_of, related_of

# Export formats: rdflib's serializer name and the media type.
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}


# An ISO 8601 date and time without time zone, as CKAN stores metadata_created
# and metadata_modified: read by the standard library, not by dateutil.
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?")


def iso_datetime(value: Any) -> str | None:
    """``value`` as xsd:dateTime text if it is a plain ISO 8601 date and time, else None.

    Gives what ckanext-dcat's ``_add_date_triple`` writes for such a value
    (``dateutil.parser.parse(value).isoformat()``), without dateutil's tokenizer.
    """
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


@functools.cache
def _with_fast_dates(profile_class: type) -> type:
    """``profile_class`` whose dates in ISO 8601 skip dateutil (others still go through it)."""
    return compat_dcat.with_fast_dates(profile_class, iso_datetime)


# What ckanext-dcat's CleanedURIRef._careful_quote gave before compat_dcat
# replaced it with careful_quote (the test compares them).
_upstream_careful_quote = compat_dcat.upstream_careful_quote


@functools.cache
def _loaded_profiles(profile_names: tuple[str, ...]) -> tuple[type, ...]:
    """The profile classes of ``profile_names``, with fast dates, looked up once per process.

    ckanext-dcat reads the entry points again for each serializer (some 60 ms).
    """
    return tuple(_with_fast_dates(profile)
                 for profile in compat_dcat.load_profiles(list(profile_names)))


# What an IRI may not hold (RFC 3987, and what rdflib refuses to write) and
# what XML 1.0 may not hold in a literal: URLs and texts of datasets are written
# as they were typed (a resource URL with a newline made the Turtle invalid).
_NOT_IN_IRI = re.compile("[\x00-\x20<>\"{}|\\\\^`\x7f-\x9f\ud800-\udfff]")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _valid_term(term: Any) -> Any:
    """``term`` as an IRI or literal every serialization writes validly (invalid characters percent-encoded or dropped)."""
    if isinstance(term, URIRef):
        if _NOT_IN_IRI.search(term):
            return URIRef(_NOT_IN_IRI.sub(lambda match: quote(match.group(), safe="",
                                                              errors="replace"), term))
    elif isinstance(term, Literal) and _NOT_IN_XML.search(term):
        return Literal(_NOT_IN_XML.sub("", term), lang=term.language, datatype=term.datatype)
    return term


def _valid_triple(triple):
    return tuple(_valid_term(term) for term in triple)


class _FeedStore(SimpleMemory):
    """rdflib's SimpleMemory, whose matches are read before they are handed out, and whose terms are valid.

    ckanext-dcat's profiles change the graph while they loop over a match,
    which rdflib's context-aware Memory store allows. Every IRI and literal
    is stored as ``_valid_term`` gives it (patterns too, so lookups still match).
    """

    def add(self, triple, context, quoted=False):
        return super().add(_valid_triple(triple), context, quoted)

    def remove(self, triple_pattern, context=None):
        return super().remove(_valid_triple(triple_pattern), context)

    def triples(self, triple_pattern, context=None):
        return iter(list(super().triples(_valid_triple(triple_pattern), context)))


class _Graph(rdflib.Graph):
    """The serializer's graph: one plain graph in rdflib's lightest store, Turtle in one pass.

    ckanext-dcat's ConjunctiveGraph keeps, for every statement, the named
    graphs it belongs to and fires an event: a third of the time a page took.
    A feed has a single graph, so the statements are the same without them.
    """

    def __init__(self) -> None:
        super().__init__(store=_FeedStore())

    def serialize(self, destination=None, format="turtle", *args, **kwargs):
        if format in ("turtle", "ttl"):
            format = compat_rdflib.TURTLE
        return super().serialize(destination, format, *args, **kwargs)


class QuebecRDFSerializer(compat_dcat.Serializer):
    """ckanext-dcat's serializer, with hydra pages as hydra:PartialCollectionView.

    Faster than its parent, with the same statements: profiles looked up
    once per process, dates in ISO 8601 read without dateutil, a plain graph
    in rdflib's lightest store, and Turtle written in one pass with each
    prefixed name computed once.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.g = _Graph()

    def load_profiles(self, profile_names: list[str]) -> list[type]:
        return list(_loaded_profiles(tuple(profile_names)))

    def complete_pagination(self, view: Any, paging_info: dict[str, Any]) -> None:
        self.g.add((view, RDF.type, HYDRA.PartialCollectionView))
        for key, predicates in (
            ("next", (HYDRA.next, HYDRA.nextPage)),
            ("previous", (HYDRA.previous, HYDRA.previousPage)),
            ("first", (HYDRA.first, HYDRA.firstPage)),
            ("last", (HYDRA.last, HYDRA.lastPage)),
        ):
            if paging_info.get(key):
                for predicate in predicates:
                    self.g.remove((view, predicate, None))
                    self.g.add((view, predicate, URIRef(paging_info[key])))
        for key, predicate in (("count", HYDRA.totalItems), ("items_per_page", HYDRA.itemsPerPage)):
            if paging_info.get(key) is not None:
                self.g.remove((view, predicate, None))
                self.g.add((view, predicate, Literal(int(paging_info[key]), datatype=XSD.integer)))
        collection = URIRef(catalog_uri())
        self.g.add((collection, HYDRA.view, view))


def _pages(context: dict[str, Any], page_size: int, modified_since: str | None,
           fq: str | None) -> Iterator[list[dict[str, Any]]]:
    """package_search's results, one bounded page at a time, in id order.

    Sorting by id keeps each page's place stable while datasets are edited
    during the export (a change of metadata_modified would move a dataset
    between pages and have it written twice or not at all).
    """
    page = 1
    while True:
        query = _search(context, page, page_size, modified_since, fq)
        if not query["results"]:
            return
        yield query["results"]
        if page * page_size >= query["count"]:
            return
        page += 1


def _search(context: dict[str, Any], page: int, page_size: int, modified_since: str | None,
            fq: str | None) -> dict[str, Any]:
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    if modified_since:
        from dateutil.parser import parse as parse_date

        try:
            since = parse_date(modified_since).isoformat()
        except (ValueError, OverflowError):
            raise tk.ValidationError({"modified_since": [
                tk._("Not an ISO 8601 date: {0}").format(modified_since)]})
        fq_list.append(f"metadata_modified:[{since}Z TO NOW]")
    return tk.get_action("package_search")(dict(context), {
        "q": "*:*", "fq": fq or "", "fq_list": fq_list, "rows": page_size,
        "start": page_size * (page - 1), "sort": "id asc", "include_private": False,
    })


def export(stream: IO[bytes], rdf_format: str = "ttl", *, page_size: int = 100,
           modified_since: str | None = None, fq: str | None = None,
           profiles: list[str] | None = None,
           progress: Callable[[int], None] | None = None) -> int:
    """Write the whole public catalogue to ``stream`` in ``rdf_format``; return the number of datasets."""
    if rdf_format not in FORMATS:
        raise tk.ValidationError({"format": [tk._("Unknown format: {0}").format(rdf_format)]})
    writer = _WRITERS[FORMATS[rdf_format][0]](stream)
    context = {"ignore_auth": False, "user": ""}

    catalog = QuebecRDFSerializer(profiles=profiles)
    catalog.graph_from_catalog({})
    writer.head(catalog.g)
    writer.page(catalog.g)

    count = 0
    catalog_ref = URIRef(catalog_uri())
    partners: dict[str, Any] = {}  # read once for the whole export
    for datasets in _pages(context, page_size, modified_since, fq):
        serializer = QuebecRDFSerializer(profiles=profiles)
        with partners_of(datasets, partners), related_of(datasets):
            for dataset_dict in datasets:
                dataset_ref = serializer.graph_from_dataset(dataset_dict)
                serializer.g.add((catalog_ref, DCAT.dataset, dataset_ref))
        writer.page(serializer.g)
        count += len(datasets)
        if progress:
            progress(count)
    writer.tail()
    return count


class _NTriples:
    def __init__(self, stream: IO[bytes]):
        self.stream = stream

    def head(self, graph: Graph) -> None:
        pass

    def page(self, graph: Graph) -> None:
        # Blank node labels are unique to their graph; rdflib writes them
        # from their random ids, so pages never share one by accident.
        self.stream.write(graph.serialize(format="nt", encoding="utf-8"))

    def tail(self) -> None:
        pass


class _Turtle(_NTriples):
    """Turtle written as N-Triples lines (N-Triples is a subset of Turtle).

    rdflib's pretty Turtle spends most of its time choosing prefixed names;
    a bulk export is read by programs, and this is several times faster.
    """

    def head(self, graph: Graph) -> None:
        self.stream.write(b"# DCAT-AP 3 catalogue, one statement a line (N-Triples, valid Turtle)\n")


class _RdfXml(_NTriples):
    """RDF/XML: one rdf:RDF element; each page's descriptions copied in, with full namespaces."""

    def head(self, graph: Graph) -> None:
        self.stream.write(b'<?xml version="1.0" encoding="utf-8"?>\n'
                          b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n')

    def page(self, graph: Graph) -> None:
        text = graph.serialize(format="xml", encoding="utf-8").decode("utf-8")
        start = text.index(">", text.index("<rdf:RDF")) + 1
        end = text.rindex("</rdf:RDF>")
        namespaces = text[text.index("<rdf:RDF") + len("<rdf:RDF"):start - 1]
        # Pages declare different prefixes: each top-level element carries
        # the declarations of its page.
        self.stream.write(_redeclare(text[start:end], namespaces).encode("utf-8"))

    def tail(self) -> None:
        self.stream.write(b"</rdf:RDF>\n")


def _redeclare(body: str, namespaces: str) -> str:
    """Put the xmlns declarations of a page on each of its top-level elements."""
    from xml.dom import minidom

    wrapper = minidom.parseString(f"<rdf:RDF{namespaces}>{body}</rdf:RDF>")
    declarations = {
        name: value for name, value in wrapper.documentElement.attributes.items()
        if name.startswith("xmlns")
    }
    parts = []
    for node in wrapper.documentElement.childNodes:
        if node.nodeType == node.ELEMENT_NODE:
            for name, value in declarations.items():
                if not node.hasAttribute(name):
                    node.setAttribute(name, value)
            parts.append(node.toxml())
    return "\n".join(parts) + "\n"


class _JsonLd(_NTriples):
    """JSON-LD: one top-level array; each page's expanded nodes appended to it."""

    def head(self, graph: Graph) -> None:
        self.first = True
        self.stream.write(b"[")

    def page(self, graph: Graph) -> None:
        nodes = json.loads(graph.serialize(format="json-ld"))
        if isinstance(nodes, dict):
            nodes = nodes.get("@graph", [nodes])
        for node in nodes:
            self.stream.write((b"" if self.first else b",\n") + json.dumps(
                node, ensure_ascii=False).encode("utf-8"))
            self.first = False

    def tail(self) -> None:
        self.stream.write(b"]\n")


_WRITERS = {"nt": _NTriples, "turtle": _Turtle, "xml": _RdfXml, "json-ld": _JsonLd}
