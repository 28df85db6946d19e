"""Harvest report messages written in no language and read in French or English: the suite's
stored forms, and each English form of ckanext-harvest's and ckanext-dcat's that upstream.py knows.

No database: the translation of a message is a function of its text and the catalogue.
"""
from __future__ import annotations

import inspect
import re

import pytest

import ckanext.dcat.harvesters.base as dcat_base
import ckanext.dcat.harvesters.rdf as dcat_rdf
import ckanext.harvest.harvesters.base as harvest_base
import ckanext.harvest.harvesters.ckanharvester as ckanharvester
import ckanext.harvest.logic.action.update as harvest_update
import ckanext.harvest.queue as harvest_queue

from ckanext.quebec.harvest import language, messages, upstream

URL = "http://ville.example/flux.ttl"
FR, EN = language.catalogue("fr").gettext, language.catalogue("en").gettext
REFUSED = messages.neutral("Only http and https URLs can be imported: {0}", "ftp://x")

# (upstream module, what its source holds, the message as it writes it, French, English)
UPSTREAM = [
    (dcat_base, "Server responded with %s %s",
     "Could not get content from %s. Server responded with %s %s" % (URL, 503, "Service Unavailable"),
     f"La source n’a pu être lue à {URL} : son serveur a répondu 503 Service Unavailable",
     f"The source could not be read at {URL}: its server answered 503 Service Unavailable"),
    # the message quotes the guard's refusal, itself in no language
    (dcat_base, "connection error occurred. %s",
     """Could not get content from %s because a
                                connection error occurred. %s""" % (URL, REFUSED),
     f"La source n’a pu être jointe à {URL} : Seules les URL http et https peuvent être importées : "
     "ftp://x",
     f"The source could not be reached at {URL}: Only http and https URLs can be imported: ftp://x"),
    (dcat_base, "because the connection timed",
     "Could not get content from %s because the connection timed out." % URL,
     f"La source à {URL} n’a pas répondu à temps", f"The source at {URL} did not answer in time"),
    (dcat_base, "file size: {allowed}, Content-Length: {actual}.",
     """Remote file is too big. Allowed
                    file size: {allowed}, Content-Length: {actual}.""".format(allowed=10, actual=99),
     "Le fichier de la source est trop volumineux : 99 octets, au-delà des 10 permis",
     "The source's file is too big: 99 bytes, over the 10 allowed"),
    (dcat_base, "'Remote file is too big.'", "Remote file is too big.",
     "Le fichier de la source est trop volumineux", "The source's file is too big"),
    (dcat_rdf, "Error parsing the RDF file: {0}", "Error parsing the RDF file: Bad syntax at line 1",
     "Le fichier de la source n’a pu être lu comme du RDF : Bad syntax at line 1",
     "The source's file could not be read as RDF: Bad syntax at line 1"),
    (dcat_rdf, "Update validation Error: %s",
     "Update validation Error: %s" % str({"Update frequency": "Missing value"}),
     "L’enregistrement n’est pas conforme au schéma du portail et n’a pas été enregistré : "
     "Fréquence de mise à jour : Valeur manquante",
     "The record does not fit the portal's schema and was not stored: Update frequency: Missing value"),
    (harvest_base, "Invalid package with GUID %s: %r",
     "Invalid package with GUID %s: %r" % ("ville-1", {"title": ["Missing value"]}),
     "L’enregistrement ville-1 n’est pas conforme au schéma du portail et n’a pas été enregistré : "
     "Titre : Valeur manquante",
     "The record ville-1 does not fit the portal's schema and was not stored: Title: Missing value"),
    (ckanharvester, "No datasets found at CKAN: %s", "No datasets found at CKAN: %s" % URL,
     f"Le portail CKAN à {URL} n’a aucun jeu de données à moissonner",
     f"The CKAN portal at {URL} has no dataset to harvest"),
    (ckanharvester, "CKAN instance %s using URL %r. Error: %s",
     "Unable to search remote CKAN for datasets:%s url:%s" "terms:%s" % (
         "Error sending request to search remote CKAN instance %s using URL %r. Error: %s" % (
             URL, URL + "/api/action/package_search", "Request error: refused"), URL, []),
     f"Les jeux de données du portail CKAN à {URL} n’ont pu être listés : La requête au portail CKAN "
     f"à {URL} a échoué : Request error: refused",
     f"The datasets of the CKAN portal at {URL} could not be listed: The request to the CKAN portal "
     f"at {URL} failed: Request error: refused"),
    (ckanharvester, "Response from remote CKAN was not JSON: %r",
     "Response from remote CKAN was not JSON: %r" % "<html>",
     "La réponse du portail CKAN n’est pas du JSON", "The CKAN portal's answer is not JSON"),
    (harvest_base, "No remote datasets could be identified", "No remote datasets could be identified",
     "La source ne liste aucun jeu de données", "The source lists no dataset"),
    (harvest_queue, "No harvester could be found for source type %s",
     "System error - No harvester could be found for source type %s" % "dcat_rdf",
     "Aucun moissonneur de type dcat_rdf n’est activé sur le portail",
     "No harvester of type dcat_rdf is enabled on the portal"),
    (harvest_update, "timeout ({} minutes)\\n",
     "Job {} timeout ({} minutes)\n".format("j-1", 5) + "\tJob created: 2026-12-05\n",
     "La tâche a été arrêtée après 5 minutes sans progrès",
     "The job was stopped after 5 minutes without progress"),
]


@pytest.mark.parametrize("module, fragment, written, french, english", UPSTREAM,
                         ids=[re.sub(r"\W+", "-", row[1]).strip("-") for row in UPSTREAM])
def test_each_known_upstream_message_reads_in_french_and_english(module, fragment, written,
                                                                 french, english):
    # The form is still the one the installed ckanext-harvest or ckanext-dcat writes.
    assert fragment in inspect.getsource(module)
    assert (messages.render(written, FR), messages.render(written, EN)) == (french, english)


def test_every_known_form_is_tested():
    assert len(upstream._FORMS) == len(UPSTREAM) + 1  # "Create validation Error" is "Update"'s twin


def test_the_suites_messages_are_stored_in_no_language_and_read_in_either():
    stored = messages.neutral(
        "{field}: “{value}” is not among the portal's values and was not imported",
        field=messages.message("Territory"), value="Atlantide")
    assert stored.startswith(messages.MARK) and "Territoire" not in stored
    assert messages.render(stored, FR) == (
        "Territoire : « Atlantide » ne fait pas partie des valeurs du portail et n’a pas été importé")
    assert messages.render(stored, EN) == (
        "Territory: “Atlantide” is not among the portal's values and was not imported")


def test_unknown_or_broken_text_is_shown_as_written():
    for text in ("Une erreur quelconque", messages.MARK + "{pas du JSON", messages.MARK + '"texte"'):
        assert messages.render(text, FR) == text
    # a translation whose placeholders do not fit its msgid: the English text, filled
    assert messages.render(messages.neutral("Job {0}", "x"), lambda _msgid: "Tâche {1}") == "Job x"


def test_harvest_action_results_are_localized_in_place():
    result = {"gather_errors": [{"message": REFUSED}],
              "object_errors": {"o": {"guid": REFUSED, "errors": [{"message": REFUSED, "line": 1}]}}}
    messages.localize(result, EN)
    assert result["gather_errors"][0]["message"] == "Only http and https URLs can be imported: ftp://x"
    assert result["object_errors"]["o"]["errors"][0]["message"] == \
        result["gather_errors"][0]["message"]
    assert result["object_errors"]["o"]["guid"] == REFUSED  # only messages
