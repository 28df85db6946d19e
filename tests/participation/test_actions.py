"""Suggestions through the actions: creation, the statuses and their history, moderation, merging, votes, comments."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from .conftest import PLUGINS, a_suggestion, context_of

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false")]


def call(action: str, user, **data):
    return helpers.call_action(action, context_of(user), **data)


def test_a_suggestion_in_english_alone_with_territories_and_an_organization(people):
    created = a_suggestion(people["outsider"], title={"en": "Ferry timetables"},
                           description='{"en": "As CSV"}', territories="region-montreal,quebec",
                           owner_org=people["org"]["name"], reason="research")
    assert created["title"] == {"en": "Ferry timetables"}
    assert created["territories"] == ["region-montreal", "quebec"]
    assert created["owner_org"] == people["org"]["id"]
    assert created["status"] == "proposed" and created["vote_count"] == 0
    assert created["author"]["name"] == people["outsider"]["name"]
    assert [entry["status"] for entry in created["history"]] == ["proposed"]


@pytest.mark.parametrize("field, value", [
    ("title", {}), ("title", {"de": "x"}), ("title", {"fr": "x" * 201}), ("title", {"fr": "<b>x</b>"}),
    ("title", "plain text"), ("description", {"fr": "<script>alert(1)</script>"}),
    ("category", "unknown"), ("reason", "boredom"), ("territories", ["nowhere"]),
    ("owner_org", "no-such-org"), ("title", {"fr": "a\x00b"}),
])
def test_bad_values_are_refused_and_nothing_is_written(people, field, value):
    with pytest.raises(tk.ValidationError) as error:
        a_suggestion(people["outsider"], **{field: value})
    assert field in error.value.error_dict
    assert call("quebec_suggestion_list", None)["count"] == 0


def test_the_policy_may_require_french(people, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.quebec.schema.required_languages", "fr suggestion_title:fr")
    with pytest.raises(tk.ValidationError) as error:
        a_suggestion(people["outsider"], title={"en": "Ferries"})
    assert error.value.error_dict["title"] == ["The French version is required"]


def test_the_organization_answers_through_every_status_dated_in_the_history(people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    dataset = factories.Dataset(owner_org=people["org"]["id"])
    for status, extra in (("forwarded", {}), ("under_review", {}), ("planned", {"answer": {"fr": "En 2027"}}),
                          ("published", {"datasets": [dataset["name"]]})):
        result = call("quebec_suggestion_update_status", people["editor"], id=suggestion["id"],
                      status=status, **extra)
    assert result["status"] == "published" and result["datasets"] == [dataset["id"]]
    assert [entry["status"] for entry in result["history"]] == [
        "proposed", "forwarded", "under_review", "planned", "published"]
    assert result["history"][3]["answer"] == {"fr": "En 2027"}
    assert all(entry["created"] for entry in result["history"])


@pytest.mark.parametrize("status, extra, field", [
    ("published", {}, "status"), ("refused", {}, "answer"), ("bogus", {}, "status"),
])
def test_a_wrong_status_change_is_refused(people, status, extra, field):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_suggestion_update_status", people["admin"], id=suggestion["id"], status=status, **extra)
    assert field in error.value.error_dict
    assert [e["status"] for e in call("quebec_suggestion_show", None, id=suggestion["id"])["history"]] == [
        "proposed"]


def test_publishing_needs_datasets_and_refusing_a_reason(people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    call("quebec_suggestion_update_status", people["admin"], id=suggestion["id"], status="forwarded")
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_suggestion_update_status", people["admin"], id=suggestion["id"], status="published")
    assert "datasets" in error.value.error_dict
    refused = call("quebec_suggestion_update_status", people["admin"], id=suggestion["id"], status="refused",
                   answer={"fr": "Données personnelles", "en": "Personal data"})
    assert refused["history"][-1]["answer"]["en"] == "Personal data"


def test_a_sysadmin_forwards_a_suggestion_without_organization(people):
    suggestion = a_suggestion(people["outsider"])
    with pytest.raises(tk.ValidationError):
        call("quebec_suggestion_update_status", people["sysadmin"], id=suggestion["id"], status="forwarded")
    result = call("quebec_suggestion_update_status", people["sysadmin"], id=suggestion["id"],
                  status="forwarded", owner_org=people["org"]["name"])
    assert result["owner_org"] == people["org"]["id"] and result["organization"]["name"] == people["org"]["name"]


def test_a_hidden_suggestion_is_seen_by_sysadmins_only(people):
    suggestion = a_suggestion(people["outsider"])
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_suggestion_moderate", people["sysadmin"], id=suggestion["id"], hidden=True)
    assert "reason" in error.value.error_dict
    call("quebec_suggestion_moderate", people["sysadmin"], id=suggestion["id"], hidden=True, reason="Spam")
    for role in ("anonymous", "outsider", "admin"):
        with pytest.raises(tk.ObjectNotFound):
            call("quebec_suggestion_show", people[role], id=suggestion["id"])
        assert call("quebec_suggestion_list", people[role])["count"] == 0
    shown = call("quebec_suggestion_show", people["sysadmin"], id=suggestion["id"])
    assert shown["hidden"] and shown["hidden_reason"] == "Spam"
    assert call("quebec_suggestion_list", people["sysadmin"], include_hidden=True)["count"] == 1
    call("quebec_suggestion_moderate", people["sysadmin"], id=suggestion["id"], hidden="false")
    assert call("quebec_suggestion_list", None)["count"] == 1


def test_one_vote_per_account_withdrawable(people):
    suggestion = a_suggestion(people["outsider"])
    assert call("quebec_suggestion_vote", people["member"], id=suggestion["id"]) == {"vote_count": 1, "voted": True}
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_suggestion_vote", people["member"], id=suggestion["id"])
    assert error.value.error_dict["id"] == ["You already voted for this suggestion"]
    assert call("quebec_suggestion_unvote", people["member"], id=suggestion["id"]) == {
        "vote_count": 0, "voted": False}
    with pytest.raises(tk.ValidationError):
        call("quebec_suggestion_unvote", people["member"], id=suggestion["id"])


def test_merging_keeps_the_votes_once_per_account(people):
    original = a_suggestion(people["outsider"])
    duplicate = a_suggestion(people["member"])
    for role in ("editor", "admin"):
        call("quebec_suggestion_vote", people[role], id=duplicate["id"])
    call("quebec_suggestion_vote", people["admin"], id=original["id"])
    merged = call("quebec_suggestion_merge", people["sysadmin"], id=duplicate["id"], into=original["id"])
    assert merged["vote_count"] == 2
    assert call("quebec_suggestion_show", None, id=duplicate["id"])["merged_into"] == original["id"]
    assert [s["id"] for s in call("quebec_suggestion_list", None)["results"]] == [original["id"]]
    with pytest.raises(tk.ValidationError):
        call("quebec_suggestion_vote", people["outsider"], id=duplicate["id"])
    with pytest.raises(tk.ValidationError):
        call("quebec_suggestion_merge", people["sysadmin"], id=original["id"], into=duplicate["id"])


def test_ranking_by_votes_and_by_recent_activity(people):
    first, second, third = (a_suggestion(people["outsider"]) for _ in range(3))
    for role in ("member", "editor"):
        call("quebec_suggestion_vote", people[role], id=second["id"])
    call("quebec_suggestion_vote", people["admin"], id=third["id"])
    by_votes = call("quebec_suggestion_list", None, sort="votes")["results"]
    assert [s["id"] for s in by_votes] == [second["id"], third["id"], first["id"]]
    call("quebec_comment_create", people["admin"], suggestion_id=first["id"], text="Oui!")
    by_activity = call("quebec_suggestion_list", None, sort="activity")["results"]
    assert by_activity[0]["id"] == first["id"]


def test_filters(people):
    wanted = a_suggestion(people["outsider"], category="sante", territories=["region-montreal"],
                          owner_org=people["org"]["id"], title={"fr": "Urgences: attente"})
    a_suggestion(people["outsider"])
    for filters in ({"category": "sante"}, {"territory": "region-montreal"},
                    {"organization": people["org"]["name"]}, {"q": "urgences"}, {"status": "proposed",
                                                                                 "q": "attente"}):
        found = call("quebec_suggestion_list", None, **filters)
        assert [s["id"] for s in found["results"]] == [wanted["id"]], filters
    assert call("quebec_suggestion_list", None, q="100%_")["count"] == 0


def test_comments_are_plain_text_and_moderated(people):
    suggestion = a_suggestion(people["outsider"])
    comment = call("quebec_comment_create", people["member"], suggestion_id=suggestion["id"],
                   text="  <b>Utile</b>\npour nous  ")
    assert comment["text"] == "<b>Utile</b>\npour nous"
    call("quebec_comment_moderate", people["sysadmin"], id=comment["id"], hidden=True, reason="Hors sujet")
    assert call("quebec_comment_list", people["member"], suggestion_id=suggestion["id"]) == []
    hidden = call("quebec_comment_list", people["sysadmin"], suggestion_id=suggestion["id"], include_hidden=True)
    assert hidden[0]["hidden_reason"] == "Hors sujet"
    with pytest.raises(tk.NotAuthorized):
        call("quebec_comment_list", people["member"], suggestion_id=suggestion["id"], include_hidden=True)
    with pytest.raises(tk.ValidationError):
        call("quebec_comment_create", people["member"], suggestion_id=suggestion["id"], text="x" * 2001)


@pytest.mark.ckan_config("ckanext.quebec.participation.rate_limit", "2")
def test_the_rate_limit_refuses_the_third_of_each_kind(people):
    user = people["outsider"]
    suggestions = [a_suggestion(user) for _ in range(2)]
    with pytest.raises(tk.ValidationError) as error:
        a_suggestion(user)
    assert "rate_limit" in error.value.error_dict and error.value.retry_after > 0
    assert call("quebec_suggestion_list", None)["count"] == 2
    a_suggestion(people["member"])  # counted per account
    for suggestion in suggestions:
        call("quebec_comment_create", user, suggestion_id=suggestion["id"], text="+1")
    with pytest.raises(tk.ValidationError):
        call("quebec_comment_create", user, suggestion_id=suggestions[0]["id"], text="+1")


def _campaign(people, candidates, opens="2020-01-01", closes="2999-01-01", max_votes=2):
    return call("quebec_campaign_create", people["sysadmin"], title={"fr": "Transport", "en": "Transport"},
                description={"fr": "Quelles données de transport ouvrir d'abord?"}, category="transport",
                opens=opens, closes=closes, max_votes=max_votes, candidates=[s["id"] for s in candidates])


def test_a_campaign_counts_its_own_votes_within_the_limit_and_dates(people):
    candidates = [a_suggestion(people["outsider"]) for _ in range(3)]
    other = a_suggestion(people["outsider"])
    campaign = _campaign(people, candidates)
    assert campaign["is_open"] and campaign["total_votes"] == 0
    voter = people["member"]
    for candidate in candidates[:2]:
        shown = call("quebec_campaign_vote", voter, id=campaign["id"], suggestion_id=candidate["id"])
    assert shown["my_votes"] == [c["id"] for c in candidates[:2]] and shown["votes_left"] == 0
    for suggestion_id, field in ((candidates[2]["id"], "id"), (candidates[0]["id"], "suggestion_id"),
                                 (other["id"], "suggestion_id")):
        with pytest.raises(tk.ValidationError) as error:
            call("quebec_campaign_vote", voter, id=campaign["id"], suggestion_id=suggestion_id)
        assert field in error.value.error_dict
    call("quebec_campaign_unvote", voter, id=campaign["id"], suggestion_id=candidates[0]["id"])
    call("quebec_campaign_vote", voter, id=campaign["id"], suggestion_id=candidates[2]["id"])
    call("quebec_campaign_vote", people["editor"], id=campaign["id"], suggestion_id=candidates[2]["id"])
    results = call("quebec_campaign_show", None, id=campaign["id"])
    assert [(row["id"], row["votes"]) for row in results["results"]] == [
        (candidates[2]["id"], 2), (candidates[1]["id"], 1), (candidates[0]["id"], 0)]
    assert results["my_votes"] == [] and results["total_votes"] == 3
    assert call("quebec_suggestion_show", None, id=candidates[2]["id"])["vote_count"] == 0

    closed = _campaign(people, candidates, opens="2020-01-01", closes="2020-02-01")
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_campaign_vote", voter, id=closed["id"], suggestion_id=candidates[0]["id"])
    assert error.value.error_dict["id"] == ["The campaign is not open for votes"]
    assert [c["id"] for c in call("quebec_campaign_list", None)][:2] != []


@pytest.mark.parametrize("field, value", [
    ("closes", "2019-01-01"), ("opens", "soon"), ("max_votes", 0), ("max_votes", "x"), ("candidates", []),
    ("candidates", ["no-such-suggestion"]), ("title", {}), ("category", "nope"),
])
def test_a_bad_campaign_is_refused(people, field, value):
    candidate = a_suggestion(people["outsider"])
    data = {"title": {"fr": "Santé"}, "description": {"fr": "Texte"}, "opens": "2020-01-01",
            "closes": "2999-01-01", "max_votes": 3, "candidates": [candidate["id"]], field: value}
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_campaign_create", people["sysadmin"], **data)
    assert field in error.value.error_dict
    assert call("quebec_campaign_list", None) == []


def test_the_list_has_facets_with_counts_under_its_filters(people):
    a_suggestion(people["outsider"], category="sante", owner_org=people["org"]["id"], title={"fr": "Urgences"})
    a_suggestion(people["outsider"], category="sante", title={"fr": "Attente aux urgences"})
    forwarded = a_suggestion(people["outsider"], owner_org=people["other_org"]["id"])
    call("quebec_suggestion_update_status", people["sysadmin"], id=forwarded["id"], status="forwarded")
    hidden = a_suggestion(people["outsider"], category="sante")
    call("quebec_suggestion_moderate", people["sysadmin"], id=hidden["id"], hidden=True, reason="Spam")
    found = call("quebec_suggestion_list", None)
    assert found["count"] == 3
    assert found["facets"]["status"] == [{"name": "proposed", "display_name": "Proposée", "count": 2},
                                         {"name": "forwarded", "display_name": "Transmise", "count": 1}]
    assert [(item["name"], item["count"]) for item in found["facets"]["category"]] == [
        ("sante", 2), ("transport", 1)]
    assert sorted((item["name"], item["display_name"], item["count"]) for item in found["facets"]["organization"]) \
        == sorted([(people["org"]["name"], people["org"]["title"], 1),
                   (people["other_org"]["name"], people["other_org"]["title"], 1)])
    narrowed = call("quebec_suggestion_list", None, category="sante", limit=1)
    assert narrowed["count"] == 2 and len(narrowed["results"]) == 1
    assert narrowed["facets"]["status"] == [{"name": "proposed", "display_name": "Proposée", "count": 2}]
    assert [item["name"] for item in narrowed["facets"]["organization"]] == [people["org"]["name"]]
    assert call("quebec_suggestion_list", people["sysadmin"], include_hidden=True)["facets"]["category"][0] == {
        "name": "sante", "display_name": "Santé", "count": 3}
    nothing = call("quebec_suggestion_list", None, q="introuvable")
    assert nothing["count"] == 0 and nothing["facets"] == {"status": [], "category": [], "organization": []}


def test_the_words_may_come_in_any_order_and_language(people):
    wanted = a_suggestion(people["outsider"], title={"fr": "Attente aux urgences", "en": "Emergency waits"},
                          description={"fr": "Par hôpital"})
    a_suggestion(people["outsider"], title={"fr": "Urgences: horaires"})
    for words in ("urgences attente", "  HÔPITAL   urgences ", "emergency hôpital"):
        assert [s["id"] for s in call("quebec_suggestion_list", None, q=words)["results"]] == [wanted["id"]], words
    assert call("quebec_suggestion_list", None, q="urgences vélos")["count"] == 0


def test_the_words_are_found_whatever_their_accents(people):
    schools = a_suggestion(people["outsider"], title={"fr": "Écoles primaires"}, description={"fr": "Par élève"})
    a_suggestion(people["outsider"], title={"fr": "Eleveurs de bovins"})
    for words in ("ecole", "ÉCOLES primaires", "élève ecoles", "eleve ecole"):
        assert [s["id"] for s in call("quebec_suggestion_list", None, q=words)["results"]] == [schools["id"]], words
    assert call("quebec_suggestion_list", None, q="éleveurs")["count"] == 1


def test_a_campaign_entry_is_voted_for_like_a_suggestion_and_shown_with_the_answers(people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    call("quebec_suggestion_update_status", people["editor"], id=suggestion["id"], status="forwarded")
    call("quebec_suggestion_update_status", people["editor"], id=suggestion["id"], status="planned",
         answer={"fr": "En 2027", "en": "In 2027"})
    campaign = _campaign(people, [suggestion], max_votes=2)
    with pytest.raises(tk.NotAuthorized):
        call("quebec_campaign_entry_create", people["admin"], id=campaign["id"], title={"fr": "X"},
             description={"fr": "Y"})
    shown = call("quebec_campaign_entry_create", people["sysadmin"], id=campaign["id"],
                 title={"fr": "Comptages de vélos", "en": "Bike counts"}, description={"fr": "Par compteur"})
    (entry,) = [row for row in shown["results"] if row["kind"] == "entry"]
    assert entry["title"] == {"fr": "Comptages de vélos", "en": "Bike counts"}
    assert entry["description"] == {"fr": "Par compteur"} and entry["status"] is None and entry["answer"] is None
    (candidate,) = [row for row in shown["results"] if row["kind"] == "suggestion"]
    assert candidate["answer"] == {"fr": "En 2027", "en": "In 2027"}
    voter = people["member"]
    for field, value in (("suggestion_id", entry["id"]), ("entry_id", suggestion["id"])):
        with pytest.raises(tk.ValidationError) as error:  # an entry is not a suggestion, and back
            call("quebec_campaign_vote", voter, id=campaign["id"], **{field: value})
        assert error.value.error_dict == {field: ["This is not a candidate of the campaign"]}
    for given in ({}, {"suggestion_id": suggestion["id"], "entry_id": entry["id"]}):
        with pytest.raises(tk.ValidationError) as error:
            call("quebec_campaign_vote", voter, id=campaign["id"], **given)
        assert "suggestion_id" in error.value.error_dict
    voted = call("quebec_campaign_vote", voter, id=campaign["id"], entry_id=entry["id"])
    assert [(row["kind"], row["votes"]) for row in voted["results"]] == [("entry", 1), ("suggestion", 0)]
    assert voted["my_votes"] == [entry["id"]] and voted["votes_left"] == 1
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_campaign_vote", voter, id=campaign["id"], entry_id=entry["id"])
    assert error.value.error_dict == {"entry_id": ["You already voted for this candidate"]}
    call("quebec_campaign_vote", voter, id=campaign["id"], suggestion_id=suggestion["id"])
    withdrawn = call("quebec_campaign_unvote", voter, id=campaign["id"], entry_id=entry["id"])
    assert withdrawn["my_votes"] == [suggestion["id"]] and withdrawn["total_votes"] == 1


@pytest.mark.parametrize("field, value", [("title", {}), ("description", {"fr": "<script>x</script>"}),
                                          ("id", "no-such-campaign")])
def test_a_bad_entry_is_refused_and_nothing_written(people, field, value):
    campaign = _campaign(people, [a_suggestion(people["outsider"])])
    data = dict({"id": campaign["id"], "title": {"fr": "T"}, "description": {"fr": "D"}}, **{field: value})
    with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
        call("quebec_campaign_entry_create", people["sysadmin"], **data)
    assert len(call("quebec_campaign_show", None, id=campaign["id"])["results"]) == 1


def test_a_closed_campaign_takes_no_entry(people):
    closed = _campaign(people, [a_suggestion(people["outsider"])], closes="2020-02-01")
    with pytest.raises(tk.ValidationError) as error:
        call("quebec_campaign_entry_create", people["sysadmin"], id=closed["id"], title={"fr": "T"},
             description={"fr": "D"})
    assert error.value.error_dict == {"id": ["A closed campaign takes no new candidate"]}


def test_a_sysadmin_closes_a_campaign_before_its_date_and_its_results_stay(people):
    candidate = a_suggestion(people["outsider"])
    campaign = _campaign(people, [candidate])
    call("quebec_campaign_vote", people["member"], id=campaign["id"], suggestion_id=candidate["id"])
    closed = call("quebec_campaign_close", people["sysadmin"], id=campaign["id"])
    assert not closed["is_open"] and closed["has_closed"] and closed["total_votes"] == 1
    for action, user in (("quebec_campaign_vote", people["editor"]), ("quebec_campaign_unvote", people["member"])):
        with pytest.raises(tk.ValidationError) as error:
            call(action, user, id=campaign["id"], suggestion_id=candidate["id"])
        assert error.value.error_dict == {"id": ["The campaign is not open for votes"]}
    with pytest.raises(tk.ValidationError):
        call("quebec_campaign_close", people["sysadmin"], id=campaign["id"])
    assert call("quebec_campaign_show", None, id=campaign["id"])["results"][0]["votes"] == 1
