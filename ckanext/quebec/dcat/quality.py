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

A resource's nine answers to the portal's guidelines (the schema's
``conformite_*`` fields: ``oui``, ``non`` or ``n/a``) are measurements of the
distribution, one metric per guideline in the ``quebec`` dimension, labelled
as the schema labels the field.
"""
from __future__ import annotations

import os
from typing import Any

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.term import Node

from ckanext.dcat.profiles import DCT, RDF, SKOS, XSD

from ckanext.quebec.schema import fields as schema_fields, vocabularies

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
        measurement = _add_measurement(g, dataset_ref, ns[name],
                                       Literal(str(value), datatype=datatype))
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


def compliance_fields() -> tuple[tuple[str, dict[str, str]], ...]:
    """The guideline answers of the resource schema: (field name, fr/en label), in its order."""
    return tuple((field["field_name"], dict(field["label"])) for field in schema_fields.compliance_fields())


def _add_measurement(g, subject: Node, metric: Node, value: Literal) -> BNode:
    """A DQV measurement of ``metric`` computed on ``subject``; returns its node."""
    measurement = BNode()
    g.add((subject, DQV.hasQualityMeasurement, measurement))
    g.add((measurement, RDF.type, DQV.QualityMeasurement))
    g.add((measurement, DQV.computedOn, subject))
    g.add((measurement, DQV.isMeasurementOf, metric))
    g.add((measurement, DQV.value, value))
    return measurement


def add_compliance(g, distribution: Node, resource_dict: dict[str, Any]) -> None:
    """The resource's answers to the guidelines, as measurements of ``distribution``."""
    ns = namespace()
    written = False
    for name, labels in compliance_fields():
        answer = resource_dict.get(name)
        if not isinstance(answer, str) or not answer:
            continue
        _add_measurement(g, distribution, ns[name], Literal(answer, datatype=XSD.string))
        if (ns[name], RDF.type, DQV.Metric) not in g:
            _add_concept(g, ns[name], DQV.Metric, labels)
            g.add((ns[name], DQV.expectedDataType, XSD.string))
            g.add((ns[name], DQV.inDimension, ns["quebec"]))
        written = True
    if written and (ns["quebec"], RDF.type, DQV.Dimension) not in g:
        dimension = next(e for e in _vocabulary("quality_dimensions") if e["value"] == "quebec")
        _add_concept(g, ns["quebec"], DQV.Dimension, dimension["label"])
        g.add((ns["quebec"], DQV.inCategory, ns[dimension["category"]]))
        g.add((ns[dimension["category"]], RDF.type, DQV.Category))


def compliance_from_graph(g, distribution: Node) -> dict[str, str]:
    """The guideline answers that ``distribution``'s measurements give, by field name."""
    prefix = str(namespace())
    names = {name for name, _labels in compliance_fields()}
    answers = {}
    for measurement in g.objects(distribution, DQV.hasQualityMeasurement):
        metric = str(g.value(measurement, DQV.isMeasurementOf) or "")
        value = g.value(measurement, DQV.value)
        if metric.startswith(prefix) and metric[len(prefix):] in names and value is not None:
            answers[metric[len(prefix):]] = str(value)
    return answers


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
