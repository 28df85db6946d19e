"""The badge and breakdown on the dataset page, search results, facets, the quality page and the publishers' report."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "false"),
]


@pytest.fixture
def checked():
    organization = factories.Organization()
    good = factories.Dataset(owner_org=organization["id"], notes="Description", license_id="cc-by",
                             tags=[{"name": "velo"}], author_email="a@example.org", name="bon-jeu")
    poor = factories.Dataset(owner_org=organization["id"], name="jeu-faible")
    for dataset in (good, poor):
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
    factories.Dataset(owner_org=organization["id"], name="jamais-evalue")
    return organization, good, poor


def test_dataset_page_badge_and_breakdown(app, checked):
    _organization, good, _poor = checked
    page = app.get(f"/dataset/{good['name']}", headers={"Accept-Language": "en"}).body
    assert 'data-quality-level="faible"' in page
    assert "Quality: Poor" in page
    assert 'data-dimension="findability"' in page
    assert f'/dataset/{good["name"]}/quality' in page


def test_quality_page_lists_checks_with_hints(app, checked):
    _organization, good, _poor = checked
    page = app.get(f"/dataset/{good['name']}/quality").body
    assert 'data-check="categories" data-passed="false"' in page
    assert "Choose at least one category." in page
    assert 'data-check="keywords" data-passed="true"' in page
    assert 'data-criterion="identifiant_unique" data-passed="false"' in page


def test_quality_page_of_a_private_dataset_is_hidden(app):
    organization = factories.Organization()
    dataset = factories.Dataset(owner_org=organization["id"], private=True)
    assert app.get(f"/dataset/{dataset['name']}/quality").status_code == 404
    assert app.get("/dataset/no-such/quality").status_code == 404


def test_search_results_facets_and_sort(app, checked):
    _organization, good, poor = checked
    page = app.get("/dataset/").body
    assert page.count("quebec-quality-badge") == 2
    assert "quality_level" in page
    found = helpers.call_action("package_search", sort="quality_sort desc", q="*:*")
    assert [d["name"] for d in found["results"]] == ["bon-jeu", "jeu-faible", "jamais-evalue"]


def test_publishers_report_worst_first(app, checked):
    organization, _good, _poor = checked
    page = app.get(f"/organization/{organization['name']}/quality").body
    positions = [page.index(f'data-dataset="{name}"') for name in ("jamais-evalue", "jeu-faible", "bon-jeu")]
    assert positions == sorted(positions)
    assert 'data-level="faible"' in page


def test_quality_is_a_sort_option_and_sorts(app, checked):
    page = app.get("/dataset/?sort=quality_sort+desc").body
    assert '<option value="quality_sort desc" selected="selected">' in page
    assert page.index("/dataset/bon-jeu") < page.index("/dataset/jeu-faible") < page.index("/dataset/jamais-evalue")


def test_organization_page_links_to_the_report(app, checked):
    organization, _good, _poor = checked
    page = app.get(f"/organization/{organization['name']}").body
    assert f'/organization/{organization["name"]}/quality' in page


class TestActionsFromThePage:
    """The "check again" button and the reference-data form of the quality page."""

    @pytest.fixture
    def users(self, checked):
        organization = checked[0]
        sysadmin = factories.SysadminWithToken()
        editor = factories.UserWithToken()
        helpers.call_action("organization_member_create", id=organization["id"],
                            username=editor["name"], role="editor")
        return {"sysadmin": {"Authorization": sysadmin["token"]},
                "editor": {"Authorization": editor["token"]}}

    def test_the_forms_show_to_those_who_may_use_them(self, app, checked, users):
        _organization, good, _poor = checked
        path = f"/dataset/{good['name']}/quality"
        page = app.get(path, headers=users["sysadmin"]).body
        assert 'class="quebec-quality-run"' in page and 'class="quebec-quality-grant"' in page
        page = app.get(path, headers=users["editor"]).body
        assert 'class="quebec-quality-run"' in page and "quebec-quality-grant" not in page
        page = app.get(path).body
        assert "quebec-quality-run" not in page and "quebec-quality-grant" not in page

    def test_check_again_runs_the_checks(self, app, checked, users):
        never = helpers.call_action("package_show", id="jamais-evalue")
        assert helpers.call_action("quebec_quality_show", id=never["id"])["score"] is None
        response = app.post("/dataset/jamais-evalue/quality/run", headers=users["editor"],
                            follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dataset/jamais-evalue/quality")
        assert helpers.call_action("quebec_quality_show", id=never["id"])["score"] is not None
        page = app.post("/dataset/jamais-evalue/quality/run", headers=users["editor"]).body
        assert "The checks of this dataset are queued" in page

    def test_a_refused_designation_lists_what_fails_in_the_visitors_language(self, app, checked, users):
        _organization, good, _poor = checked
        page = app.post(f"/dataset/{good['name']}/quality/reference", headers=users["sysadmin"],
                        data={"mandate": "MCN-2026-01", "date": "2026-11-01"}).body
        assert "Reference data criteria: Criterion not met: Unique identifier." in page
        page = app.post(f"/fr/dataset/{good['name']}/quality/reference", headers=users["sysadmin"],
                        data={"mandate": "MCN-2026-01"}).body
        assert "Date: Date attendue au format AAAA-MM-JJ" in page
        assert "Désigner comme donnée de référence" in page  # the form, in French
        assert helpers.call_action("package_show", id=good["id"])["quebec_quality"]["reference"] is None

    def test_withdrawing_what_was_never_granted_is_an_error_message(self, app, checked, users):
        _organization, good, _poor = checked
        page = app.post(f"/dataset/{good['name']}/quality/reference/withdraw",
                        headers=users["sysadmin"]).body
        assert "alert-error" in page or "alert-danger" in page

    @pytest.mark.parametrize("path", ["run", "reference", "reference/withdraw"])
    def test_refused_to_anonymous_and_the_badge_to_editors(self, app, checked, users, path):
        _organization, good, _poor = checked
        url = f"/dataset/{good['name']}/quality/{path}"
        assert app.post(url, data={"mandate": "M", "date": "2026-11-01"}).status_code == 403
        if path != "run":
            assert app.post(url, headers=users["editor"],
                            data={"mandate": "M", "date": "2026-11-01"}).status_code == 403
        assert helpers.call_action("package_show", id=good["id"])["quebec_quality"]["reference"] is None
