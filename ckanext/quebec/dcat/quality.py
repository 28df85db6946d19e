"""The quality results of a dataset (``quebec_quality``) as W3C DQV measurements, and back.

``quebec_quality`` is what the quality plugin puts in package_show's output::

    {"score": 31, "max_score": 40, "level": "bon",
     "dimensions": {"findability": {"score": 8, "max": 10}, ...},
     "validation": {"status": "success", "errors": 0},
     "reference": {"granted": True, "mandate": "...", "date": "2025-03-01"} or None,
     "computed": "2025-03-02T10:00:00+00:00"}

Each number is a ``dqv:QualityMeasurement`` of a metric of
``vocabularies/quality_metrics.yaml`` (described in the graph itself, with its
dimension and category), and the reference-data badge a
``dqv:QualityCertificate`` (an ``oa:Annotation``) whose body is the mandate.
"""
from __future__ import annotations

import os
from typing import Any

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.term import Node

from ckanext.dcat.profiles import DCT, RDF, SKOS, XSD

from ckanext.quebec.schema import vocabularies

from . import config

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")

KEY = "quebec_quality"
_DIMENSION_KEYS = ("findability", "accessibility", "interoperability", "reusability",
                   "contextuality", "quebec")


def _vocabulary(name: str) -> list[dict[str, Any]]:
    return vocabularies.load(os.path.join(os.path.dirname(__file__), "vocabularies"))[name]


def namespace() -> Namespace:
    """The namespace of the portal's metrics, dimensions and categories."""
    return Namespace(f"{config.site_url()}/dcat/quality#")


def _metric_values(quality: dict[str, Any]) -> dict[str, Any]:
    """quebec_quality flattened to {metric: value}, leaving out what is absent."""
    values: dict[str, Any] = {
        "score": quality.get("score"),
        "max_score": quality.get("max_score"),
        "level": quality.get("level"),
    }
    for name, dimension in (quality.get("dimensions") or {}).items():
        if name in _DIMENSION_KEYS and isinstance(dimension, dict):
            values[name] = dimension.get("score")
            values[f"{name}_max"] = dimension.get("max")
    validation = quality.get("validation") or {}
    values["validation_status"] = validation.get("status")
    values["validation_errors"] = validation.get("errors")
    return {key: value for key, value in values.items() if value is not None}


def add_to_graph(g, dataset_ref: Node, quality: Any) -> None:
    """Add ``quality`` (a quebec_quality dict) to the dataset in ``g``; anything else is ignored."""
    if not isinstance(quality, dict):
        return
    ns = namespace()
    metrics = {entry["value"]: entry for entry in _vocabulary("quality_metrics")}
    dimensions = {entry["value"]: entry for entry in _vocabulary("quality_dimensions")}
    computed = quality.get("computed")
    used_dimensions = set()
    for name, value in _metric_values(quality).items():
        metric = metrics[name]
        datatype = XSD.integer if metric["datatype"] == "integer" else XSD.string
        if datatype == XSD.integer:
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
        measurement = BNode()
        g.add((dataset_ref, DQV.hasQualityMeasurement, measurement))
        g.add((measurement, RDF.type, DQV.QualityMeasurement))
        g.add((measurement, DQV.computedOn, dataset_ref))
        g.add((measurement, DQV.isMeasurementOf, ns[name]))
        g.add((measurement, DQV.value, Literal(str(value), datatype=datatype)))
        if computed:
            g.add((measurement, PROV.generatedAtTime, Literal(computed, datatype=XSD.dateTime)))
        _add_concept(g, ns[name], DQV.Metric, metric["label"])
        g.add((ns[name], DQV.expectedDataType, datatype))
        g.add((ns[name], DQV.inDimension, ns[metric["dimension"]]))
        used_dimensions.add(metric["dimension"])
    for name in used_dimensions:
        dimension = dimensions[name]
        _add_concept(g, ns[name], DQV.Dimension, dimension["label"])
        g.add((ns[name], DQV.inCategory, ns[dimension["category"]]))
        g.add((ns[dimension["category"]], RDF.type, DQV.Category))

    reference = quality.get("reference")
    if isinstance(reference, dict) and reference.get("granted"):
        certificate = BNode()
        g.add((dataset_ref, DQV.hasQualityAnnotation, certificate))
        g.add((certificate, RDF.type, DQV.QualityCertificate))
        g.add((certificate, RDF.type, OA.Annotation))
        g.add((certificate, OA.hasTarget, dataset_ref))
        g.add((certificate, OA.motivatedBy, DQV.qualityAssessment))
        if reference.get("date"):
            g.add((certificate, DCT.issued, Literal(reference["date"], datatype=XSD.date)))
        if reference.get("mandate"):
            body = BNode()
            g.add((certificate, OA.hasBody, body))
            g.add((body, RDF.type, OA.TextualBody))
            g.add((body, RDF.value, Literal(reference["mandate"])))


def _add_concept(g, uri: URIRef, rdf_type: URIRef, labels: dict[str, str]) -> None:
    g.add((uri, RDF.type, rdf_type))
    for lang, text in labels.items():
        g.add((uri, SKOS.prefLabel, Literal(text, lang=lang)))


def from_graph(g, dataset_ref: Node) -> dict[str, Any] | None:
    """The quebec_quality dict the measurements of ``dataset_ref`` describe, or None."""
    prefix = str(namespace())
    values: dict[str, Any] = {}
    computed = None
    for measurement in g.objects(dataset_ref, DQV.hasQualityMeasurement):
        metric = g.value(measurement, DQV.isMeasurementOf)
        value = g.value(measurement, DQV.value)
        if metric is None or value is None or not str(metric).startswith(prefix):
            continue
        values[str(metric)[len(prefix):]] = value.toPython() if isinstance(value, Literal) else None
        computed = computed or g.value(measurement, PROV.generatedAtTime)
    reference = None
    for certificate in g.objects(dataset_ref, DQV.hasQualityAnnotation):
        if (certificate, RDF.type, DQV.QualityCertificate) not in g:
            continue
        body = g.value(certificate, OA.hasBody)
        issued = g.value(certificate, DCT.issued)
        reference = {
            "granted": True,
            "mandate": str(g.value(body, RDF.value)) if body is not None else None,
            "date": str(issued) if issued is not None else None,
        }
    if not values and reference is None:
        return None
    quality: dict[str, Any] = {
        "score": values.get("score"),
        "max_score": values.get("max_score"),
        "level": values.get("level"),
        "dimensions": {
            name: {"score": values[name], "max": values.get(f"{name}_max")}
            for name in _DIMENSION_KEYS if name in values
        },
        "validation": {"status": values.get("validation_status"),
                       "errors": values.get("validation_errors")},
        "reference": reference,
        "computed": str(computed) if computed is not None else None,
    }
    return quality
