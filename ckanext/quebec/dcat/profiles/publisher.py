"""The publisher: the partner's names, type, web site, logo, umbrella and partnership fields."""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import ORG, TIME
from rdflib.term import Node

from ckanext.dcat.profiles import DCT, FOAF, RDF, SCHEMA, SKOS, XSD

from .. import config
from .base import _extra, _own_vocabulary, _translated, _vocabulary_or_empty
from .dqv import QualityMixin
from .partners import partner
from .spatial import SpatialMixin, _territory_uri

OPEN_DATA_POLICY_TITLE = {"fr": "Politique de données ouvertes", "en": "Open data policy"}
SPONSOR_CONTACT_TYPE = {"fr": "Répondant en gouvernement ouvert", "en": "Open government sponsor"}


class PublisherMixin(QualityMixin, SpatialMixin):
    """The dataset's publisher, written and read back."""

    def _organization(self, name_or_id: str | None) -> dict[str, Any] | None:
        return partner(name_or_id)

    def _add_publisher(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The partner as publisher: translated name, ADMS type, web site, logo, umbrella partner."""
        organization = dataset_dict.get("organization") or {}
        partner = self._organization(organization.get("id")) or organization
        # A partner's umbrella is stored by id (organization_show gives its name).
        umbrella = _extra(dataset_dict, "organisation_principale") or (
            self._organization(partner.get("organisation_principale")) or {}
        ).get("name")
        for publisher in list(self.g.objects(dataset_ref, DCT.publisher)):
            texts = _translated(partner.get("title_translated"))
            if texts:
                self.g.remove((publisher, FOAF.name, None))
                self._add_translated(publisher, FOAF.name, texts)
            self.g.add((publisher, RDF.type, FOAF.Organization))
            self._add_publisher_type(publisher, partner.get("partner_type"))
            for key, predicate in (("website", FOAF.homepage), ("image_display_url", FOAF.depiction)):
                if partner.get(key) and str(partner[key]).startswith(("http://", "https://")):
                    self.g.set((publisher, predicate, URIRef(partner[key])))
            if umbrella and umbrella != partner.get("name"):
                self._add_umbrella(publisher, umbrella)
            self._add_partner_fields(publisher, partner)

    def _add_partner_fields(self, publisher: Node, partner: dict[str, Any]) -> None:
        """The partnership fields of the partner: region, date joined, policy, sponsor, certification.

        - region: ``dct:spatial``, the region's ``dct:Location`` (as in territories);
        - date joined: a W3C ORG ``org:Membership`` of the catalogue's publisher
          (the partnership) whose ``org:memberDuring`` interval begins that day;
        - open data policy: ``foaf:page``, a ``foaf:Document``;
        - sponsor: a schema.org ``schema:ContactPoint`` (name, e-mail);
        - certified public body: a ``dqv:QualityCertificate`` whose target is the publisher.

        A page repeats the same partners: what is made of blank nodes is written once.
        """
        g = self.g
        region = next((e for e in _vocabulary_or_empty("territories")
                       if e.get("kind") == "region" and e.get("code") == partner.get("region")),
                      None) if partner.get("region") else None
        if region:
            self._add_location(publisher, region)
        joined = str(partner.get("date_joined") or "")[:10]
        if joined and (publisher, ORG.hasMembership, None) not in g:
            membership, interval, start = BNode(), BNode(), BNode()
            g.add((publisher, ORG.hasMembership, membership))
            g.add((membership, RDF.type, ORG.Membership))
            g.add((membership, ORG.member, publisher))
            g.add((membership, ORG.organization, URIRef(config.catalog_publisher_uri())))
            g.add((membership, ORG.memberDuring, interval))
            g.add((interval, RDF.type, TIME.Interval))
            g.add((interval, TIME.hasBeginning, start))
            g.add((start, RDF.type, TIME.Instant))
            g.add((start, TIME.inXSDDate, Literal(joined, datatype=XSD.date)))
        policy = partner.get("open_data_policy_url")
        if policy and str(policy).startswith(("http://", "https://")):
            page = URIRef(policy)
            g.add((publisher, FOAF.page, page))
            g.add((page, RDF.type, FOAF.Document))
            if (page, DCT.title, None) not in g:
                self._add_translated(page, DCT.title, OPEN_DATA_POLICY_TITLE)
        name, email = partner.get("sponsor_name"), partner.get("sponsor_email")
        if (name or email) and (publisher, SCHEMA.contactPoint, None) not in g:
            contact = BNode()
            g.add((publisher, SCHEMA.contactPoint, contact))
            g.add((contact, RDF.type, SCHEMA.ContactPoint))
            self._add_translated(contact, SCHEMA.contactType, SPONSOR_CONTACT_TYPE)
            if name:
                g.add((contact, SCHEMA.name, Literal(name)))
            if email:
                g.add((contact, SCHEMA.email, Literal(email)))
        self._add_certificate(publisher, partner)

    def _partner_fields(self, dataset_ref: Node) -> dict[str, Any]:
        """The partner fields that _add_partner_fields wrote on the dataset's publisher."""
        g = self.g
        fields: dict[str, Any] = {}
        for publisher in g.objects(dataset_ref, DCT.publisher):
            names = self._literals_by_language(publisher, FOAF.name)
            if names:
                fields["title_translated"] = names
            regions = {_territory_uri(e): e["code"] for e in _vocabulary_or_empty("territories")
                       if e.get("kind") == "region" and e.get("code")}
            for location in g.objects(publisher, DCT.spatial):
                if str(location) in regions:
                    fields["region"] = regions[str(location)]
            for membership in g.objects(publisher, ORG.hasMembership):
                for interval in g.objects(membership, ORG.memberDuring):
                    for start in g.objects(interval, TIME.hasBeginning):
                        day = g.value(start, TIME.inXSDDate)
                        if day is not None:
                            fields["date_joined"] = str(day)
            for page in g.objects(publisher, FOAF.page):
                if (page, RDF.type, FOAF.Document) in g:
                    fields["open_data_policy_url"] = str(page)
            for contact in g.objects(publisher, SCHEMA.contactPoint):
                for key, predicate in (("sponsor_name", SCHEMA.name),
                                       ("sponsor_email", SCHEMA.email)):
                    value = g.value(contact, predicate)
                    if value is not None:
                        fields[key] = str(value)
            if self._is_certified(publisher):
                fields["certified"] = True
        return fields

    def _add_publisher_type(self, publisher: Node, partner_type: str | None) -> None:
        entry = next(
            (e for e in _own_vocabulary("publisher_types") if e["value"] == partner_type), None
        )
        if not entry:
            return
        uri = URIRef(entry["uri"])
        self.g.remove((publisher, DCT.type, None))
        self.g.add((publisher, DCT.type, uri))
        self.g.add((uri, RDF.type, SKOS.Concept))
        self.g.add((uri, SKOS.inScheme, URIRef("http://purl.org/adms/publishertype/1.0")))
        self._add_translated(uri, SKOS.prefLabel, entry["label"])

    def _add_umbrella(self, publisher: Node, name: str) -> None:
        """org:subOrganizationOf the umbrella partner (gouvernement-du-quebec, a city...)."""
        umbrella = URIRef(f"{config.site_url()}/organization/{name}")
        self.g.add((publisher, ORG.subOrganizationOf, umbrella))
        self.g.add((umbrella, RDF.type, FOAF.Agent))
        self.g.add((umbrella, RDF.type, FOAF.Organization))
        self.g.add((umbrella, DCT.identifier, Literal(name)))
        if (umbrella, FOAF.name, None) in self.g:
            return
        texts = _translated((self._organization(name) or {}).get("title_translated"))
        self._add_translated(umbrella, FOAF.name, texts or {"fr": name})

    def _umbrella(self, dataset_ref: Node) -> str | None:
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            for umbrella in self.g.objects(publisher, ORG.subOrganizationOf):
                identifier = self.g.value(umbrella, DCT.identifier)
                if identifier is not None:
                    return str(identifier)
        return None

    def _parse_publisher(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        umbrella = self._umbrella(dataset_ref)
        if umbrella:
            dataset_dict["organisation_principale"] = umbrella
        partner_fields = self._partner_fields(dataset_ref)
        if len(partner_fields) > 1 or (partner_fields and "title_translated" not in partner_fields):
            # The partner's fields, as organization_show gives them (the
            # importer leaves them: the organization is the portal's).
            dataset_dict["organization"] = partner_fields
