"""Every field of the dataset and resource schemas, sent bad values through the API: 403, 200 or 409, never a 5xx.

The fields are read from the scheming schema file (schemas/dataset.yaml), so a
field added there is fuzzed too. Each value goes to the field alone, the rest
of the dataset (or resource) being valid: anonymously it is refused (403), as
a sysadmin accepted (200) or refused with per-field errors (409). What is
accepted must then read back and show: package_show and the dataset's page.
"""
from __future__ import annotations

import json
import os
from typing import Any

import pytest
import yaml

from ckan.tests import factories

from ckanext.quebec import resources

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]


def _schema_fields(key: str) -> list[str]:
    with open(os.path.join(resources.schemas_directory(), "dataset.yaml"), encoding="utf-8") as f:
        return [field["field_name"] for field in yaml.safe_load(f)[key]]


DATASET_FIELDS = _schema_fields("dataset_fields")
RESOURCE_FIELDS = _schema_fields("resource_fields")

MEGABYTE = 1_000_000
BAD_VALUES = [
    # wrong types
    7, 10 ** 30, 1.5, True, None, [], [1, "x"], {}, {"a": 1}, [{"fr": "x"}],
    # texts
    "", "\x00", "a\x00b", "é" * MEGABYTE, "[broken", "http://[broken", '{"fr": "', "\u202etxt", "a\u2066b",
    "\x1b[31m", "\x85", "zz-inconnu", "<script>alert(1)</script>",
    # shapes of the bilingual and list fields, with bad insides
    {"fr": "\x00"}, {"fr": 5}, {"fr": ["a\u2066"]}, {"fr": "x" * MEGABYTE}, {"\x00": "x"},
    {"fr": {"en": "x"}}, ["zz-inconnu"], ["transport", "\x00"],
]
ALLOWED = {"anonymous": {403}, "sysadmin": {200, 409}}


def _describe(value) -> str:
    text = json.dumps(value)
    return text if len(text) < 40 else text[:37] + "..."


class _Client:
    """Sends one action as anonymous and as sysadmin; collects the answers outside ALLOWED."""

    def __init__(self, app, headers):
        self.app, self.headers, self.failures = app, headers, []

    def post(self, who: str, action: str, body: dict, what: str) -> Any:
        """The answer's result on a 200, else None."""
        response = self.app.post(f"/api/3/action/{action}", json=body,
                                 headers=self.headers if who == "sysadmin" else {},
                                 expect_errors=True)
        if response.status_code not in ALLOWED[who]:
            self.failures.append(f"{who} {action} {what}: {response.status_code} "
                                 f"{response.body[:300]}")
        return response.json["result"] if response.status_code == 200 else None

    def check_readable(self, dataset_id: str, what: str) -> None:
        """What was accepted reads back through the API and shows on the dataset's page."""
        shown = self.app.get("/api/3/action/package_show", query_string={"id": dataset_id},
                             headers=self.headers, expect_errors=True)
        page = self.app.get(f"/dataset/{dataset_id}", headers=self.headers, expect_errors=True)
        for name, response in (("package_show", shown), ("page", page)):
            if response.status_code != 200:
                self.failures.append(f"{name} after {what}: {response.status_code} "
                                     f"{response.body[:300]}")


def _create_dataset(client: _Client, org: dict, name: str) -> dict:
    body = dataset_dict(org["id"], name=name)
    created = client.post("sysadmin", "package_create", body, "valid dataset")
    assert created, client.failures
    return created


@pytest.mark.parametrize("action", ["package_create", "package_update", "package_patch"])
@pytest.mark.parametrize("field", DATASET_FIELDS)
def test_dataset_field(app, action, field):
    client = _Client(app, {"Authorization": factories.SysadminWithToken()["token"]})
    org = factories.Organization()
    existing = None if action == "package_create" else _create_dataset(client, org, "fuzz")
    for number, value in enumerate(BAD_VALUES):
        what = f"{field}={_describe(value)}"
        if action == "package_create":
            body = dataset_dict(org["id"], name=f"fuzz-{number}")
        elif action == "package_update":
            body = dict(existing)
        else:
            body = {"id": existing["id"]}
        body[field] = value
        client.post("anonymous", action, body, what)
        result = client.post("sysadmin", action, body, what)
        if result:
            client.check_readable(result["id"], what)
    assert not client.failures, "\n".join(client.failures)


@pytest.mark.parametrize("action", ["resource_create", "resource_update"])
@pytest.mark.parametrize("field", RESOURCE_FIELDS)
def test_resource_field(app, action, field):
    client = _Client(app, {"Authorization": factories.SysadminWithToken()["token"]})
    dataset = _create_dataset(client, factories.Organization(), "fuzz")
    resource = dataset["resources"][0]
    for value in BAD_VALUES:
        what = f"{field}={_describe(value)}"
        body = {"url": "https://example.ca/f.csv", "name_translated": {"fr": "Fichier"},
                "resource_type": "donnees"}
        if action == "resource_create":
            body["package_id"] = dataset["id"]
        else:
            body["id"] = resource["id"]
        body[field] = value
        client.post("anonymous", action, body, what)
        if client.post("sysadmin", action, body, what):
            client.check_readable(dataset["id"], what)
    assert not client.failures, "\n".join(client.failures)
