"""Ranking: field weights, phrases, the dataset named as the query, and sorting."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    def dataset(name, title, notes="", tags=(), resources=(), **kwargs):
        return factories.Dataset(name=name, title=title, notes=notes,
                                 tags=[{"name": tag} for tag in tags],
                                 resources=list(resources), **kwargs)

    # "hydrometrie" once each, in a different field
    dataset("w-resource", "Jeu quatre", "Rien.",
            resources=[{"url": "http://example.com/r.csv", "name": "Relevés hydrometrie"}])
    dataset("w-notes", "Jeu trois", "Relevés de hydrometrie.")
    dataset("w-tags", "Jeu deux", "Rien.", tags=["hydrometrie"])
    dataset("w-title", "Hydrometrie", "Rien.")
    # the same two words, as a phrase in one and far apart in the other
    dataset("scattered", "Carte des parcs",
            "Les pistes de ski alpin, les sentiers et enfin les voies cyclables.")
    dataset("phrase", "Carte des rues", "Les pistes cyclables et les sentiers de ski alpin.")
    # "budget" everywhere in one, the exact name and title of the other
    dataset("budget-detaille", "Budget et budget détaillé",
            "Budget, budget, budget municipal.", tags=["budget", "finances"])
    dataset("budget", "Budget")
    dataset("rapport-annuel-2020", "Rapport",
            "Rapport annuel 2020 de la ville.")
    dataset("rapports", "Rapport annuel 2020 et rapport annuel 2021",
            "Rapport annuel 2020, rapport annuel 2021.", tags=["rapport"])


def order(**params) -> list[str]:
    result = helpers.call_action("package_search", rows=100, **params)
    return [dataset["name"] for dataset in result["results"]]


@pytest.mark.usefixtures("catalogue")
class TestRanking:
    def test_title_before_tags_before_description_before_resources(self):
        assert order(q="hydrometrie") == ["w-title", "w-tags", "w-notes", "w-resource"]

    def test_default_sort_ranks_too(self):
        # CKAN's default "score desc, metadata_modified desc"
        assert order(q="hydrometrie", sort="score desc, metadata_modified desc")[0] == "w-title"

    def test_words_as_a_phrase_rank_first(self):
        assert order(q="pistes cyclables") == ["phrase", "scattered"]
        assert order(q="cyclables pistes")[0] == "phrase"

    def test_a_quoted_phrase_only_finds_the_phrase(self):
        assert order(q='"pistes cyclables"') == ["phrase"]

    def test_the_dataset_named_or_titled_as_the_query_comes_first(self):
        assert order(q="budget")[0] == "budget"
        assert order(q="Budget")[0] == "budget"
        assert order(q="rapport-annuel-2020")[0] == "rapport-annuel-2020"
        assert order(q="rapport annuel 2020")[0] == "rapport-annuel-2020"

    def test_other_sorts_ignore_the_score(self):
        assert order(q="budget", sort="name desc") == ["budget-detaille", "budget"]
        assert order(q="hydrometrie", sort="title_string asc") == [
            "w-title", "w-tags", "w-resource", "w-notes"]

    def test_score_can_be_returned(self):
        result = helpers.call_action("package_search", q="hydrometrie", fl="name,score")
        scores = [dataset["score"] for dataset in result["results"]]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] > 0


@pytest.fixture(scope="class")
def near_ties(shared_db):
    """Datasets that hold the same words alike, in titles of one pattern (as
    tests/solr/test_oracle.py's catalogue): each pair's expected first is made
    first, so that the newest-first tie break alone would put it second."""
    def dataset(name, title, resources=()):
        return factories.Dataset(name=name, title=title, notes="Relevés.", resources=[
            {"url": f"http://example.com/{name}-{number}.csv", "name": resource}
            for number, resource in enumerate(resources)])

    dataset("short-title", "Inventaire des ponceaux de Laval 2020")
    dataset("long-title", "Inventaire des ponceaux de Gaspésie–Îles-de-la-Madeleine 2020")
    dataset("often", "Carte des arénas de Laval 2020",
            resources=["Fichier des arénas", "Liste des arénas"])
    dataset("once", "Carte des arénas de Lévis 2020")


@pytest.mark.usefixtures("near_ties")
class TestNearTiesAsSolrOrdersThem:
    """Solr's BM25 breaks them by the length of the title, then by how often
    the text holds the words (docs/solr.md, the differential oracle)."""

    def test_the_shorter_title_first(self):
        assert order(q="ponceaux") == ["short-title", "long-title"]
        assert order(q="inventaire ponceaux")[0] == "short-title"

    def test_of_equal_titles_the_text_that_holds_the_words_more_often_first(self):
        assert order(q="arénas") == ["often", "once"]
