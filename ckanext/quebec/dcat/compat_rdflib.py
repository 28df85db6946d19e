"""Every use of rdflib's Turtle serializer internals, in one place, for the tested version only.

rdflib has no public hook to change how Turtle is written; the suite's Turtle
(``quebec_turtle``, registered as an rdflib serializer plugin, which is
public) subclasses ``TurtleSerializer`` and uses its internals:

- ``reset``, ``get_pname``: each IRI's prefixed name computed once per document;
- ``label``, ``write``, ``store``, ``namespaces``, and the ``SUBJECT``/``VERB``/
  ``OBJECT`` positions of ``rdflib.plugins.serializers.turtle``: the document
  written subject by subject in one pass, with rdflib's own labels.

Importing this module checks the installed version (``check_version``): an
untested rdflib stops CKAN at start-up with a message naming the tested
versions.
"""
from __future__ import annotations

import rdflib.plugin
import rdflib.serializer
from rdflib import URIRef
from rdflib.plugins.serializers.turtle import OBJECT, SUBJECT, VERB, TurtleSerializer

from . import tested_versions

DISTRIBUTION = "rdflib"
TESTED_VERSIONS = ("7.6.0",)
TURTLE = "quebec_turtle"


def check_version(installed: str | None = None) -> None:
    """Raise RuntimeError unless ``installed`` (default: the installed rdflib) was tested."""
    tested_versions.require(DISTRIBUTION, TESTED_VERSIONS, "ckanext/quebec/dcat/compat_rdflib.py",
                            "Turtle serializer internals", installed)


check_version()


class CachedTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle, each IRI's prefixed name computed once per document.

    rdflib looks each node up twice (while counting references, then while
    writing), splitting the IRI each time: most of the time Turtle took.
    The output is the same, byte for byte.
    """

    def reset(self) -> None:
        super().reset()
        self._pnames: dict[tuple[URIRef, bool], str | None] = {}

    def get_pname(self, uri, gen_prefix: bool = True):
        if not isinstance(uri, URIRef):
            return None
        key = (uri, gen_prefix)
        try:
            return self._pnames[key]
        except KeyError:
            pname = self._pnames[key] = super().get_pname(uri, gen_prefix)
            return pname


class CompactTurtleSerializer(CachedTurtleSerializer):
    """Turtle written subject by subject in one pass, as the store holds the statements.

    rdflib's pretty Turtle first counts every node's references and sorts
    the subjects to nest blank nodes: a third of the time a served page took.
    This writes the same statements (the same labels, prefixed names and
    literals as rdflib's Turtle, blank nodes as ``_:`` labels) in a single
    pass over the graph.
    """

    def serialize(self, stream, base=None, encoding=None, spacious=None, **kwargs) -> None:
        self.reset()
        self.stream = stream
        label = self.label
        body: list[str] = []
        subject = predicate = None
        for s, p, o in self.store.triples((None, None, None)):
            if subject is None or s != subject or type(s) is not type(subject):
                if subject is not None:
                    body.append(" .\n\n")
                body.append(f"{label(s, SUBJECT)}\n    {label(p, VERB)} {label(o, OBJECT)}")
                subject, predicate = s, p
            elif p != predicate:
                body.append(f" ;\n    {label(p, VERB)} {label(o, OBJECT)}")
                predicate = p
            else:
                body.append(f",\n        {label(o, OBJECT)}")
        if subject is not None:
            body.append(" .\n")
        head = "".join(f"@prefix {prefix}: <{uri}> .\n"
                       for prefix, uri in sorted(self.namespaces.items()))
        self.write(head + ("\n" if head else "") + "".join(body))


rdflib.plugin.register(TURTLE, rdflib.serializer.Serializer, __name__, "CompactTurtleSerializer")
