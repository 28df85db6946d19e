"""Quality in DQV: the dataset's measurements, and a certified partner's quality certificate."""
from __future__ import annotations

from typing import Any

from rdflib import BNode
from rdflib.term import Node

import ckan.plugins.toolkit as tk

from ckanext.dcat.profiles import RDF

from .. import quality
from .base import _TranslatedLiterals

CERTIFIED_BODY = {"fr": "Organisme public certifié", "en": "Certified public body"}


class QualityMixin(_TranslatedLiterals):
    """The quality measurements (quebec_quality) and certificates, written and read back."""

    def _add_quality(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        quality.add_to_graph(self.g, dataset_ref, dataset_dict.get(quality.KEY))

    def _parse_quality(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        measured = quality.from_graph(self.g, dataset_ref)
        if measured:
            dataset_dict[quality.KEY] = measured

    def _add_certificate(self, publisher: Node, partner: dict[str, Any]) -> None:
        """A certified public body: a ``dqv:QualityCertificate`` whose target is the publisher (once)."""
        g = self.g
        if tk.asbool(partner.get("certified") or False) and (
                publisher, quality.DQV.hasQualityAnnotation, None) not in g:
            certificate, body = BNode(), BNode()
            g.add((publisher, quality.DQV.hasQualityAnnotation, certificate))
            g.add((certificate, RDF.type, quality.DQV.QualityCertificate))
            g.add((certificate, RDF.type, quality.OA.Annotation))
            g.add((certificate, quality.OA.hasTarget, publisher))
            g.add((certificate, quality.OA.motivatedBy, quality.DQV.qualityAssessment))
            g.add((certificate, quality.OA.hasBody, body))
            g.add((body, RDF.type, quality.OA.TextualBody))
            self._add_translated(body, RDF.value, CERTIFIED_BODY)

    def _is_certified(self, publisher: Node) -> bool:
        return any((certificate, RDF.type, quality.DQV.QualityCertificate) in self.g
                   for certificate in self.g.objects(publisher, quality.DQV.hasQualityAnnotation))
