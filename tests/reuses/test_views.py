"""The reuse pages: submission form with an image, review, list with facets, reuse page, dataset page, in fr and en."""
from __future__ import annotations

import io

import pytest

from ckan.tests import factories, helpers

from .conftest import REUSES_PLUGINS, as_user, png, reuse_fields

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", REUSES_PLUGINS)]


def test_submit_review_and_show_a_reuse(app, publisher_dataset):
    publisher, dataset = publisher_dataset
    citizen = factories.UserWithToken()
    form = dict(reuse_fields([]), datasets="velos", title_fr="<script>alert(1)</script>Carte")
    assert "Soumettre une réutilisation" in app.get("/fr/reuses/new", headers={"Authorization": citizen["token"]}).body
    refused = app.post("/en/reuses/new", headers={"Authorization": citizen["token"]}, status=400,
                       data=dict(form, image_upload=(io.BytesIO(b"GIF89a broken"), "x.gif")))
    assert "Must be a PNG, JPEG, GIF or WebP image" in refused.body
    app.post("/reuses/new", headers={"Authorization": citizen["token"]}, follow_redirects=False, status=302,
             data=dict(form, image_upload=(io.BytesIO(png()), "capture.png")))
    reuse = helpers.call_action("quebec_reuse_search", as_user(factories.Sysadmin()),
                                include_pending=True)["results"][0]
    app.get(f"/fr/reuses/{reuse['id']}", status=404)
    assert "Approuver" in app.get(f"/fr/reuses/{reuse['id']}", headers={"Authorization": publisher["token"]}).body
    app.post(f"/reuses/{reuse['id']}/approve", headers={"Authorization": citizen["token"]}, status=403)
    app.post(f"/reuses/{reuse['id']}/approve", headers={"Authorization": publisher["token"]})

    page = app.get(f"/en/reuses/{reuse['id']}").body
    assert "&lt;script&gt;" not in page  # English title shown
    assert "Bike map" in page and "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Carte" in app.get(f"/fr/reuses/{reuse['id']}").body
    assert app.get(f"/reuses/{reuse['id']}/image.png").content_type == "image/png"
    listing = app.get("/fr/reuses").body
    assert "Visualisation (1)" in listing and "1 réutilisation" in listing
    assert "Visualization (1)" in app.get("/en/reuses", query_string={"category": "transport"}).body
    assert "Bike map" in app.get("/en/dataset/velos").body
    assert "Réutilisation introuvable" in app.get("/fr/reuses/absent", status=404).body
