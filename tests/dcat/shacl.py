"""SHACL validation of RDF graphs against the official DCAT-AP 3.0.0 shapes."""
from __future__ import annotations

import collections
import functools
import os
from dataclasses import dataclass

import pyshacl
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")

# The official shapes, kept in the repository with their source and licence
# (tests/dcat/shapes/README.md).
SHAPES_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes")


@dataclass
class Report:
    conforms: bool
    violations: list[str]
    text: str


@functools.cache
def _shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(os.path.join(SHAPES_DIRECTORY, name), format="turtle")
    return graph


def _validate(data: Graph, shapes: Graph) -> Report:
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        violations.append(f"{severity.split('#')[-1]}: {focus} {path}: {message}")
    return Report(conforms, sorted(violations), text)


def validate(data: Graph) -> Report:
    """The mandatory shapes (shapes.ttl and range.ttl)."""
    return _validate(data, _shapes("shapes.ttl", "range.ttl"))


def recommendations(data: Graph) -> Report:
    """The recommended shapes (shapes_recommended.ttl), reported as warnings."""
    return _validate(data, _shapes("shapes_recommended.ttl"))


def graph_of(text: str, rdf_format: str = "turtle") -> Graph:
    return Graph().parse(data=text, format=rdf_format)


def count_by_shape(data: Graph, recommended: bool = False) -> collections.Counter:
    """The results of the mandatory (or recommended) shapes, counted by severity, path and constraint.

    Each key reads e.g. ``Violation dct:format (ClassConstraintComponent)``.
    """
    shapes = _shapes("shapes_recommended.ttl") if recommended else _shapes("shapes.ttl", "range.ttl")
    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True)
    counts: collections.Counter = collections.Counter()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = str(results.value(result, SH.resultSeverity)).split("#")[-1]
        path = results.value(result, SH.resultPath)
        component = str(results.value(result, SH.sourceConstraintComponent)).split("#")[-1]
        label = data.namespace_manager.normalizeUri(path) if path is not None else "(node)"
        counts[f"{severity} {label} ({component})"] += 1
    return counts
