"""An administrator logs in and publishes through the web UI of the portal."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories

pytestmark = [
    pytest.mark.usefixtures("clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
]

PASSWORD = "Sup3r-secret-pass"


def _log_in(page, base_url: str, user: dict) -> None:
    page.goto(f"{base_url}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", PASSWORD)
    page.press("#field-password", "Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)


def test_admin_creates_an_organization_and_a_dataset(live_server, page, tmp_path):
    data_file = tmp_path / "patinoires.csv"
    data_file.write_text("nom,etat\nParc Laviolette,ouverte\nParc Martin,fermée\n",
                         encoding="utf-8")
    admin = factories.Sysadmin(password=PASSWORD)
    _log_in(page, live_server, admin)

    page.goto(f"{live_server}/organization/new")
    # CKAN's slug-preview module fills the URL from the title only once its
    # script runs: typing earlier (a busy machine) would leave the URL empty.
    page.wait_for_selector(".slug-preview")
    page.fill("#field-name", "Ville de Trois-Rivières")
    # the URL slug is filled from the title by CKAN's slug-preview module
    page.fill("#field-description", "Données ouvertes de la Ville de Trois-Rivières")
    page.click("button[name=save]")
    page.wait_for_url(f"{live_server}/organization/ville-de-trois-rivieres")
    assert page.title().startswith("Ville de Trois-Rivières")

    page.goto(f"{live_server}/dataset/new")
    page.wait_for_selector(".slug-preview")
    page.fill("#field-title", "Patinoires extérieures")
    page.fill("#field-notes", "Emplacement et état des patinoires extérieures.")
    # CKAN 2.11 hides the select behind a select2 widget; the choice is the same.
    page.select_option("#field-organizations", label="Ville de Trois-Rivières", force=True)
    page.click("button[name=save]")
    page.wait_for_url(lambda url: "/dataset/patinoires-exterieures/resource/new" in url)

    with page.expect_file_chooser() as chooser:
        page.click("#resource-upload-button")
    chooser.value.set_files(str(data_file))
    page.fill("#field-name", "Patinoires (CSV)")
    page.fill("#field-format", "CSV", force=True)  # an autocomplete widget on 2.11
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_url(f"{live_server}/dataset/patinoires-exterieures")
    assert page.title().startswith("Patinoires extérieures")

    dataset = model.Package.by_name("patinoires-exterieures")
    assert dataset.owner_org == model.Group.by_name("ville-de-trois-rivieres").id
    assert dataset.state == "active"
    (resource,) = dataset.resources
    assert resource.url_type == "upload"

    # The uploaded file is served back by the portal.
    download = page.request.get(
        f"{live_server}/dataset/{dataset.id}/resource/{resource.id}/download/patinoires.csv")
    assert download.status == 200
    assert download.body() == data_file.read_bytes()

    # The new dataset is in the search index: the search page lists it.
    page.goto(f"{live_server}/dataset/?q=patinoires")
    assert "Patinoires extérieures" in page.inner_text(".dataset-list")
