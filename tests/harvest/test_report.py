"""The harvest report in the portal's languages: values no vocabulary knows are reported per
harvest object (not dropped unsaid), and ckanext-harvest's pages read in French and English,
their error messages (the suite's, ckanext-dcat's and ckanext-harvest's) included.

The portal's default language is French here, as in production: the harvest
runs in a consumer process, without a visitor, so its messages are written in no
language and read in the reader's (the request's, else the portal's default one).
"""
from __future__ import annotations

import html
import os

import ckan
import ckanext.harvest
import pytest
import rdflib
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from rdflib.namespace import DCAT, DCTERMS, SKOS

from ckan.tests import factories, helpers
from ckanext.quebec import resources
from ckanext.quebec.harvest import messages

from tests.dcat.test_import import server  # noqa: F401  (the local HTTP server fixture)

from . import queues
from .test_inbound import FEED, PLUGINS, _feed, _harvested, _source, partner  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.quebec.dcat.import_allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
]

UNKNOWN = "https://ville.example/vocabulaire/"


def _with_unknown_values(feed: bytes, broken_title: str, other_title: str) -> bytes:
    """The feed, one dataset with a frequency, a category, a licence and a territory the portal
    does not know; another with an unknown territory only."""
    graph = rdflib.Graph().parse(data=feed, format="turtle")
    datasets = {str(title): ref for ref, title in graph.subject_objects(DCTERMS.title)
                if getattr(title, "language", None) == "en"}
    broken, other = datasets[broken_title], datasets[other_title]
    graph.set((broken, DCTERMS.accrualPeriodicity, rdflib.URIRef(UNKNOWN + "parfois")))
    theme = rdflib.BNode()
    graph.add((broken, DCAT.theme, theme))
    graph.add((theme, SKOS.notation, rdflib.Literal("astrologie")))
    for distribution in graph.objects(broken, DCAT.distribution):
        graph.set((distribution, DCTERMS.license, rdflib.URIRef(UNKNOWN + "licence-maison")))
    for dataset in (broken, other):
        graph.add((dataset, DCTERMS.spatial, rdflib.URIRef(UNKNOWN + "atlantide")))
    return graph.serialize(format="turtle").encode()


@pytest.fixture
def reported(partner):
    partner["server"].routes[FEED] = (_with_unknown_values(
        partner["server"].routes[FEED][0], "Bike paths", "Bridges"), "text/turtle")
    source = _source(partner)
    job = queues.run_job(source["id"], partner["admin"]["name"])
    down = _source(partner, name="flux-absent", url=partner["server"].base + "/absent.ttl")
    return {"source": source, "job": job, "down": down,
            "down_job": queues.run_job(down["id"], partner["admin"]["name"]), **partner}


def test_unmapped_values_are_reported_per_object_in_the_portal_language(reported):
    """Read without a visitor (as the notification e-mails are): in the portal's default language."""
    found = helpers.call_action("harvest_job_report", id=reported["job"]["id"])["object_errors"]
    errors = {error["guid"]: sorted(e["message"] for e in error["errors"]) for error in found.values()}
    # ckanext-harvest counts as errored every object with an error, stored or not
    assert (reported["job"]["stats"]["errored"], reported["job"]["stats"]["added"]) == (2, 2), errors
    broken = next(messages for messages in errors.values() if len(messages) > 1)
    for expected in ("Fréquence de mise à jour : « https://ville.example/vocabulaire/parfois »",
                     "Catégorie : « astrologie »",
                     "Licence : « https://ville.example/vocabulaire/licence-maison »",
                     "Territoire : « https://ville.example/vocabulaire/atlantide »"):
        assert any(message.startswith(expected) for message in broken), (expected, broken)
    only_territory = [messages for messages in errors.values() if len(messages) == 1]
    assert only_territory == [[
        "Territoire : « https://ville.example/vocabulaire/atlantide » ne fait pas partie des "
        "valeurs du portail et n’a pas été importé"]]
    # stored all the same, without the value
    assert _harvested(reported["org"]["id"])["Bridges"]["territories"] == \
        next(d for d in reported["datasets"] if d["name"] == "origine-1")["territories"]


ATLANTIS = "https://ville.example/vocabulaire/atlantide"


@pytest.mark.parametrize("prefix, expected, report", [
    ("", ["Sources de moissonnage", "Rapport de la tâche", "Erreurs des documents", "ajoutés",
          "Tâches de moissonnage", "Ajouter une source de moissonnage", "Moissonner de nouveau"],
     [f"Territoire : « {ATLANTIS} » ne fait pas partie des valeurs du portail",
      "n’est pas conforme au schéma du portail et n’a pas été enregistré : "
      "Fréquence de mise à jour : Valeur manquante",
      "/absent.ttl : son serveur a répondu 404 Not Found"]),
    ("/en", ["Harvest Sources", "Job Report", "Document Errors", "added", "Harvest Jobs",
             "Add Harvest Source", "Reharvest"],
     [f"Territory: “{ATLANTIS}” is not among the portal",
      "schema and was not stored: Update frequency: Missing value",
      "/absent.ttl: its server answered 404 Not Found"]),
])
def test_the_harvest_pages_read_in_the_visitors_language(app, reported, prefix, expected, report):
    """The job's report too: the suite's messages, ckanext-dcat's validation summary and gather error."""
    sysadmin = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    name, job = reported["source"]["name"], reported["job"]["id"]
    down, down_job = reported["down"]["name"], reported["down_job"]["id"]
    pages = [app.get(f"{prefix}{path}", headers=headers, status=200).body
             for path in ("/harvest/", f"/harvest/{name}", f"/harvest/{name}/job",
                          f"/harvest/{name}/job/{job}", f"/harvest/admin/{name}",
                          f"/harvest/{down}/job/{down_job}")]
    text = html.unescape("\n".join(pages))
    missing = [phrase for phrase in expected + report if phrase not in text]
    assert not missing, missing
    assert messages.MARK not in text
    # The API answers in the request's language too (the portal's default one without a prefix).
    api = app.get(f"{prefix}/api/3/action/harvest_job_report?id={down_job}", headers=headers).json
    assert report[-1] in api["result"]["gather_errors"][0]["message"]


def test_every_string_of_the_harvest_pages_has_a_french_translation():
    """ckanext-harvest ships no French (nor English) catalogue: the suite's carries its strings."""
    strings = {message for _file, _line, message, _comments, _context in extract_from_dir(
        os.path.dirname(ckanext.harvest.__file__),
        [("**/tests/**", "ignore"), ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
         ("**.py", "python")], {}, keywords={"_": None})}
    with open(os.path.join(os.path.dirname(ckan.__file__), "i18n", "fr", "LC_MESSAGES",
                           "ckan.mo"), "rb") as core_file:
        core = read_mo(core_file)
    with open(os.path.join(resources.i18n_directory(), "fr", "LC_MESSAGES",
                           f"{resources.TRANSLATION_DOMAIN}.po"), "rb") as suite_file:
        suite = read_po(suite_file)
    missing = sorted(s for s in strings if not any(
        catalogue.get(s) is not None and catalogue.get(s).string for catalogue in (core, suite)))
    assert len(strings) > 100 and not missing, missing
