"""Fuzzing the reuse actions through the API: odd values in every field never give a 5xx; errors speak fr and en."""
from __future__ import annotations

import io

import pytest

from ckan.tests import factories, helpers

from tests.api_calls import send

from .conftest import REUSES_PLUGINS, png, reuse_fields

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", REUSES_PLUGINS)]

VALUES = [None, 0, 1.5, True, [], [1], {}, {"fr": "x"}, "", "\u0000", "x" * 100_001,
          "<script>alert(1)</script>", "javascript:alert(1)", "'; DROP TABLE quebec_reuse; --", "%"]
FIELDS = {
    "quebec_reuse_create": list(reuse_fields([])) + ["image_upload"],
    "quebec_reuse_show": ["id"], "quebec_reuse_approve": ["id"], "quebec_reuse_reject": ["id"],
    "quebec_reuse_delete": ["id"],
    "quebec_reuse_search": ["reuse_type", "category", "organization", "dataset", "state",
                            "include_pending", "limit", "offset"],
}


@pytest.mark.parametrize("action", sorted(FIELDS))
def test_no_value_gives_a_server_error(app, action):
    sysadmin = factories.SysadminWithToken()
    factories.Dataset(name="velos")
    reuse = helpers.call_action("quebec_reuse_create", {"user": sysadmin["name"]}, **reuse_fields(["velos"]))
    headers = {"Authorization": sysadmin["token"]}
    failures = []
    for field in FIELDS[action]:
        for value in VALUES:
            base = reuse_fields(["velos"]) if action == "quebec_reuse_create" else {"id": reuse["id"]}
            response = send(app, action, dict(base, **{field: value}), headers, True)
            if response.status_code >= 500 or not response.is_json:
                failures.append((field, repr(value)[:30], response.status_code))
    assert failures == []


def test_uploads_and_errors_in_the_callers_language(app):
    citizen = factories.UserWithToken()
    factories.Dataset(name="velos")
    headers = {"Authorization": citizen["token"]}
    form = dict(reuse_fields([]), datasets="velos")
    refused = app.post("/fr/api/3/action/quebec_reuse_create", headers=headers,
                       data=dict(form, image_upload=(io.BytesIO(b"pas une image"), "x.png")))
    assert refused.status_code == 409
    assert refused.json["error"]["image_upload"] == ["Doit être une image PNG, JPEG, GIF ou WebP"]
    bad_url = app.post("/fr/api/3/action/quebec_reuse_create", headers=headers,
                       data=dict(form, url="javascript:alert(1)"))
    assert bad_url.json["error"]["url"] == ["Doit être une adresse Web commençant par http:// ou https://"]
    anonymous = app.post("/en/api/3/action/quebec_reuse_create", data=form)
    assert anonymous.status_code == 403 and "Log in to submit a reuse" in anonymous.json["error"]["message"]
    created = app.post("/api/3/action/quebec_reuse_create", headers=headers,
                       data=dict(form, image_upload=(io.BytesIO(png(400, 300)), "capture.png")))
    assert created.status_code == 200 and created.json["result"]["image"].endswith(".png")
