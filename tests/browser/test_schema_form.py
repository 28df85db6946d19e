"""A publisher creates and edits a bilingual dataset with a resource through the web UI,
in French and in English: errors beside the fields, the pages in the visitor's language."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories, helpers as th

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]

PASSWORD = "Sup3r-secret-pass"

# What the publisher sees, by interface language.
TEXTS = {
    "fr": {
        "french_required": "La version française est obligatoire",
        "end_before_start": "La date de fin ne peut pas précéder la date de début",
        "bad_email": "Adresse courriel invalide",
        "frequency": "Annuelle",
        "territory": "Laval (ville)",
        "category": "Transport",
    },
    "en": {
        "french_required": "The French version is required",
        "end_before_start": "The end date must not be before the start date",
        "bad_email": "Not a valid e-mail address",
        "frequency": "Annual",
        "territory": "Laval (city)",
        "category": "Transportation",
    },
}


def _log_in(page, base_url: str, user: dict) -> None:
    page.goto(f"{base_url}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", PASSWORD)
    page.press("#field-password", "Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)


def _save(page) -> None:
    """The form's main button (the edit form also has an "unpublish" one named save)."""
    page.click("button.btn-primary[name=save]")


def _error_beside(page, field_id: str) -> str:
    """The error text of the form group holding the input ``field_id``."""
    group = page.locator(f".form-group:has(#{field_id})")
    return group.locator(".error-block").inner_text()


def _translated(page, selector: str) -> tuple[str, str]:
    """(text, lang) of the first bilingual value inside ``selector``."""
    shown = page.locator(f"{selector} .quebec-translated").first
    return shown.inner_text().strip(), shown.get_attribute("lang")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_publisher_creates_and_edits_a_bilingual_dataset(live_server, page, tmp_path, language):
    texts = TEXTS[language]
    base = f"{live_server}/{language}"
    data_file = tmp_path / "bornes.csv"
    data_file.write_text("id,adresse\n1,1 rue Principale\n2,2 rue Secondaire\n", encoding="utf-8")
    factories.Group(name="transport")
    publisher = factories.User(password=PASSWORD)
    org = factories.Organization(title="Ville de Laval",
                                 users=[{"name": publisher["name"], "capacity": "editor"}])
    _log_in(page, live_server, publisher)

    # 1. The dataset form, first with two mistakes.
    page.goto(f"{base}/dataset/new")
    page.fill("#field-title_translated-en", "Charging stations")
    page.fill("#field-notes_translated-fr", "Les bornes de **recharge** publiques.")
    page.fill("#field-notes_translated-en", "Public **charging** stations.")
    page.fill("#field-keywords-fr", "borne, voiture électrique")
    page.select_option("#field-organizations", value=org["id"], force=True)
    page.check("#field-categories-transport")
    page.select_option("#field-territories", ["municipalite-laval"], force=True)
    page.select_option("#field-update_frequency", "annual", force=True)
    page.fill("#field-temporal_start", "2024-01-01")
    page.fill("#field-temporal_end", "2023-06-30")
    _save(page)
    page.wait_for_selector(".error-block")
    assert texts["french_required"] in _error_beside(page, "field-title_translated-fr")
    assert texts["end_before_start"] in _error_beside(page, "field-temporal_end")
    # what was typed is still there
    assert page.input_value("#field-title_translated-en") == "Charging stations"
    assert model.Session.query(model.Package).count() == 0

    page.fill("#field-title_translated-fr", "Bornes de recharge")
    page.fill("#field-name", "bornes-de-recharge", force=True)
    page.fill("#field-temporal_end", "2024-12-31")
    _save(page)
    page.wait_for_url(lambda url: "/dataset/bornes-de-recharge/resource/new" in url)

    # 2. Its resource: an uploaded file, named in both languages.
    with page.expect_file_chooser() as chooser:
        page.click("#resource-upload-button")
    chooser.value.set_files(str(data_file))
    page.fill("#field-name_translated-fr", "Bornes (CSV)")
    page.fill("#field-name_translated-en", "Stations (CSV)")
    page.fill("#field-description_translated-fr", "Une borne par ligne.")
    page.fill("#field-format", "CSV", force=True)
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/dataset/bornes-de-recharge"))

    dataset = th.call_action("package_show", id="bornes-de-recharge")
    assert dataset["state"] == "active"
    assert dataset["title_translated"] == {"fr": "Bornes de recharge", "en": "Charging stations"}
    assert dataset["territories"] == ["municipalite-laval"]
    assert dataset["categories"] == ["transport"]
    assert [group["name"] for group in dataset["groups"]] == ["transport"]
    assert dataset["spatial"]  # the territory's box
    (resource,) = dataset["resources"]
    assert resource["name_translated"] == {"fr": "Bornes (CSV)", "en": "Stations (CSV)"}

    # 3. The dataset page speaks the visitor's language.
    page.goto(f"{live_server}/fr/dataset/bornes-de-recharge")
    assert _translated(page, "h1") == ("Bornes de recharge", "fr")
    page.goto(f"{live_server}/en/dataset/bornes-de-recharge")
    assert _translated(page, "h1") == ("Charging stations", "en")
    body = page.inner_text("body")
    for shown in ("Public charging stations.", "Annual", "Laval (city)", "Transportation",
                  "Stations (CSV)"):
        assert shown in body, shown

    # 4. Editing: a bad e-mail is refused beside its field, then the English title changes.
    page.goto(f"{base}/dataset/edit/bornes-de-recharge")
    page.fill("#field-title_translated-en", "EV charging stations")
    page.fill("#field-author_email", "pas-un-courriel")
    _save(page)
    page.wait_for_selector(".error-block")
    assert texts["bad_email"] in _error_beside(page, "field-author_email")
    page.fill("#field-author_email", "donnees@laval.ca")
    page.check("#field-title_translated-en-machine")
    _save(page)
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/dataset/bornes-de-recharge"))
    body = page.inner_text("body")
    for shown in (texts["frequency"], texts["territory"], texts["category"]):
        assert shown in body, shown
    dataset = th.call_action("package_show", id="bornes-de-recharge")
    assert dataset["title_translated"] == {"fr": "Bornes de recharge", "en-t-fr": "EV charging stations"}
    assert dataset["author_email"] == "donnees@laval.ca"

    # 5. The resource: its English description added; its page in English.
    page.goto(f"{base}/dataset/bornes-de-recharge/resource/{resource['id']}/edit")
    page.fill("#field-description_translated-en", "One station per row.")
    _save(page)
    page.wait_for_url(lambda url: url.rstrip("/").endswith(f"/resource/{resource['id']}"))
    page.goto(f"{live_server}/en/dataset/bornes-de-recharge/resource/{resource['id']}")
    assert _translated(page, "h1") == ("Stations (CSV)", "en")
    assert _translated(page, ".prose.notes") == ("One station per row.", "en")
    page.goto(f"{live_server}/en/dataset/bornes-de-recharge")
    assert _translated(page, "h1") == ("EV charging stations", "en")
    assert "(machine translation)" in page.locator("h1:has(.quebec-translated)").inner_text()
    # the side box too
    assert _translated(page, "#package-info .heading") == ("EV charging stations", "en")
