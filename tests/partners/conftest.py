"""Fixtures of the quebec_partners tests: partners and their datasets."""
from __future__ import annotations

import os

import pytest
from babel.messages.pofile import read_po

from ckanext.quebec import resources

from ckan.tests import factories, helpers


def create_partner(name: str, user: dict | None = None, **fields) -> dict:
    """An organization with the partner schema, created by a sysadmin (or by ``user``)."""
    data = {"name": name, "title_translated": {"fr": f"Organisation {name}", "en": f"Organization {name}"}}
    data.update(fields)
    if user:
        context = {"user": user["name"], "ignore_auth": False}
    else:
        context = {"user": helpers.call_action("get_site_user")["name"]}
    return helpers.call_action("organization_create", context, **data)


def french(msgid: str) -> str:
    """The French of ``msgid`` in the suite's catalogue (the test fails if it has none)."""
    path = os.path.join(resources.i18n_directory(), "fr", "LC_MESSAGES", "ckanext-quebec.po")
    with open(path, "rb") as f:
        message = read_po(f, locale="fr").get(msgid)
    assert message is not None and message.string, f"no French translation for {msgid!r}"
    return message.string


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def partners():
    """The government umbrella, a ministry under it, a city and a university."""
    return {
        "gouv": create_partner("gouvernement-du-quebec", date_joined="2016-04-05"),
        "mtq": create_partner("mtq", partner_type="ministere",
                              organisation_principale="gouvernement-du-quebec",
                              region="03", date_joined="2016-04-05"),
        "montreal": create_partner("ville-de-montreal", partner_type="municipalite",
                                   region="06", date_joined="2016-04-05"),
        "ulaval": create_partner("universite-laval", partner_type="universite",
                                 region="03", date_joined="2018-06-01"),
    }
