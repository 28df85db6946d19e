"""Guides and reuses in the DCAT feeds: published guides as foaf:page, approved reuses as dct:isReferencedBy."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from rdflib import Literal, URIRef

from ckan import model
from ckan.tests import factories, helpers

from ckanext.dcat.processors import RDFParser
from ckanext.dcat.profiles import DCT, FOAF, RDF

from ckanext.quebec.dcat.profiles.related import guide_uri, reuse_uri

from . import shacl
from .test_shacl import report

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config(
        "ckan.plugins", "quebec_search dcat quebec_dcat quebec_guides quebec_reuses"),
]


def _guide(user, name, state="published", **links):
    context = {"user": user["name"], "ignore_auth": False}
    guide = helpers.call_action("quebec_guide_create", dict(context), **{
        "name": name, "title_fr": f"Guide {name}", "title_en": f"{name} guide",
        "summary_fr": "Résumé.", "summary_en": "Summary.", "body_fr": "Texte.", "body_en": "Text.",
        "audience": ["citoyens"],
        "topic": "trouver", **links})
    if state in ("published", "unpublished"):
        helpers.call_action("quebec_guide_publish", dict(context), id=guide["id"])
    if state == "unpublished":
        helpers.call_action("quebec_guide_unpublish", dict(context), id=guide["id"])
    return guide


def _reuse(user, title, datasets, state="approved"):
    context = {"user": user["name"], "ignore_auth": False}
    reuse = helpers.call_action("quebec_reuse_create", dict(context), **{
        "title_fr": title, "title_en": f"{title} (en)", "description_fr": "Une carte.", "description_en": "A map.",
        "reuse_type": "visualisation", "url": "https://exemple.qc.ca/app", "datasets": datasets})
    if state in ("approved", "rejected"):
        action = "quebec_reuse_approve" if state == "approved" else "quebec_reuse_reject"
        helpers.call_action(action, dict(context), id=reuse["id"])
    return reuse


@pytest.fixture
def linked():
    """Public datasets ``velos`` (category transport) and ``arbres``, private ``secret``; their guides and reuses."""
    admin = factories.Sysadmin()
    org = factories.Organization(name="ville")
    factories.Group(name="transport")
    velos = factories.Dataset(name="velos", title="Comptages vélo", owner_org=org["id"],
                              groups=[{"name": "transport"}])
    arbres = factories.Dataset(name="arbres", title="Arbres", owner_org=org["id"])
    secret = factories.Dataset(name="secret", title="Jeu très confidentiel", owner_org=org["id"],
                               private=True)
    shown = {"by_dataset": _guide(admin, "par-jeu", datasets=[velos["id"]]),
             "by_category": _guide(admin, "par-categorie", categories=["transport"]),
             "reuse": _reuse(admin, "Carte des vélos", [velos["id"], secret["id"]])}
    hidden = {"draft": _guide(admin, "brouillon", state="draft", datasets=[velos["id"]]),
              "unpublished": _guide(admin, "retire", state="unpublished", datasets=[velos["id"]]),
              "pending": _reuse(admin, "En attente", [velos["id"]], state="pending"),
              "rejected": _reuse(admin, "Refusee", [velos["id"]], state="rejected"),
              "private_only": _reuse(admin, "Sur le jeu privé", [secret["id"]])}
    return {"velos": velos, "arbres": arbres, "secret": secret, "shown": shown, "hidden": hidden}


def _get(app, url, rdf_format="turtle"):
    response = app.get(url)
    assert response.status_code == 200, response.body
    return response.body, shacl.graph_of(response.body, rdf_format)


def _dataset_ref(graph, dataset):
    return next(graph.subjects(DCT.identifier, Literal(dataset["id"])))


def _assert_related(graph, linked):
    velos = _dataset_ref(graph, linked["velos"])
    shown = linked["shown"]
    guides = {URIRef(guide_uri(shown[key]["name"])) for key in ("by_dataset", "by_category")}
    assert set(graph.objects(velos, FOAF.page)) == guides
    for guide in guides:
        assert (guide, RDF.type, FOAF.Document) in graph
    document = URIRef(guide_uri("par-jeu"))
    assert set(graph.objects(document, DCT.title)) == {
        Literal("Guide par-jeu", lang="fr"), Literal("par-jeu guide", lang="en")}
    reuse = URIRef(reuse_uri(shown["reuse"]["id"]))
    assert set(graph.objects(velos, DCT.isReferencedBy)) == {reuse}
    assert Literal("Carte des vélos", lang="fr") in set(graph.objects(reuse, DCT.title))


def _assert_nothing_hidden(body, linked):
    hidden = linked["hidden"]
    for text in ("brouillon", "retire", hidden["pending"]["id"], hidden["rejected"]["id"],
                 hidden["private_only"]["id"], linked["secret"]["id"], "confidentiel"):
        assert text not in body


def test_the_catalogue_carries_published_guides_and_approved_reuses(app, linked):
    body, graph = _get(app, "/catalog.ttl")
    _assert_related(graph, linked)
    _assert_nothing_hidden(body, linked)
    arbres = _dataset_ref(graph, linked["arbres"])
    assert not set(graph.objects(arbres, FOAF.page)) | set(graph.objects(arbres, DCT.isReferencedBy))
    assert report(graph) == []


def test_the_dataset_feed_carries_them_and_reading_it_back_drops_them(app, linked):
    body, graph = _get(app, "/dataset/velos.rdf", "xml")
    _assert_related(graph, linked)
    _assert_nothing_hidden(body, linked)
    assert report(graph) == []
    parser = RDFParser(profiles=["euro_dcat_ap_3", "quebec_dcat_ap_3"])
    parser.parse(body, _format="xml")
    parsed = next(parser.datasets())
    extras = {extra["key"]: extra["value"] for extra in parsed.get("extras") or []}
    assert "documentation" not in extras and "is_referenced_by" not in extras


def test_a_catalogue_page_reads_the_guides_and_reuses_of_all_its_datasets_in_two_queries(app, linked):
    for number in range(3):
        factories.Dataset(name=f"autre-{number}", groups=[{"name": "transport"}])
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "quebec_guide" in statement or "quebec_reuse" in statement:
            statements.append(statement)

    engine = model.ensure_engine()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        body, graph = _get(app, "/catalog.ttl")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(set(graph.subjects(FOAF.page, URIRef(guide_uri("par-categorie"))))) == 4
    assert len(statements) == 2, statements
