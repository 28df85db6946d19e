"""Partners and datasets of the Québec schema (quebec_schema + quebec_partners), for the dcat tests."""
from __future__ import annotations

import copy
from typing import Any

from ckan.tests import helpers

SERVED_PLUGINS = ("quebec_search scheming_datasets scheming_organizations quebec_schema "
                  "quebec_partners dcat quebec_dcat")

QUALITY: dict[str, Any] = {
    "score": 31,
    "max_score": 40,
    "level": "bon",
    "dimensions": {
        "findability": {"score": 8, "max": 10},
        "accessibility": {"score": 7, "max": 8},
        "interoperability": {"score": 5, "max": 7},
        "reusability": {"score": 6, "max": 7},
        "contextuality": {"score": 2, "max": 4},
        "quebec": {"score": 3, "max": 4},
    },
    "validation": {"status": "success", "errors": 0},
    "reference": {"granted": True, "mandate": "Données de référence du MCN", "date": "2025-03-01"},
    "computed": "2025-03-02T10:00:00+00:00",
}


# The partnership fields of a partner (quebec_partners' organization schema).
PARTNER_FIELDS: dict[str, Any] = {
    "region": "01",
    "date_joined": "2019-05-01",
    "open_data_policy_url": "https://www.transports.gouv.qc.ca/donnees-ouvertes",
    "sponsor_name": "Marie Tremblay",
    "sponsor_email": "marie.tremblay@transports.gouv.qc.ca",
    "certified": True,
}

# A resource's data dictionary and its nine answers to the guidelines.
RESOURCE_QUALITY_FIELDS: dict[str, Any] = {
    "data_dictionary": "| champ | sens |\n|---|---|\n| troncon | identifiant du tronçon |",
    "conformite_separateur_virgule": "oui",
    "conformite_encodage_utf8": "oui",
    "conformite_scr": "n/a",
    "conformite_non_compresse": "oui",
    "conformite_valeurs_vides": "non",
    "conformite_separateur_decimal": "oui",
    "conformite_unites": "oui",
    "conformite_booleens": "n/a",
    "conformite_dates_iso": "oui",
}


def partner(name: str, **fields: Any) -> dict[str, Any]:
    data = {"name": name, "title_translated": {"fr": f"Organisation {name}", "en": f"Organization {name}"}}
    data.update(fields)
    context = {"user": helpers.call_action("get_site_user")["name"]}
    return helpers.call_action("organization_create", context, **data)


def partners() -> dict[str, dict[str, Any]]:
    """The government umbrella and a ministry under it."""
    return {
        "gouv": partner("gouvernement-du-quebec",
                        title_translated={"fr": "Gouvernement du Québec",
                                          "en": "Government of Québec"}),
        "mtq": partner("mtq", partner_type="ministere",
                       title_translated={"fr": "Ministère des Transports",
                                         "en": "Ministry of Transport"},
                       organisation_principale="gouvernement-du-quebec",
                       website="https://www.transports.gouv.qc.ca/",
                       **PARTNER_FIELDS),
    }


def dataset_dict(owner_org: str, **changes: Any) -> dict[str, Any]:
    """A complete bilingual dataset of the Québec schema (every field filled in)."""
    dataset = {
        "name": "pistes-cyclables",
        "owner_org": owner_org,
        "title_translated": {"fr": "Pistes cyclables", "en": "Bike paths"},
        "notes_translated": {"fr": "Le réseau **cyclable**.", "en": "The **bike** network."},
        "keywords": {"fr": ["piste cyclable", "vélo"], "en": ["bike"]},
        "organisation_principale": "gouvernement-du-quebec",
        "categories": ["economie-entreprises", "infrastructures"],
        "license_id": "cc-by",
        "author": "Direction des données",
        "author_email": "donnees@transports.gouv.qc.ca",
        "update_frequency": "annual",
        "temporal_start": "2020-01-01",
        "temporal_end": "2024-12-31",
        "language": "FR_EN",
        "territories": ["quebec", "region-bas-saint-laurent"],
        "methodologie_translated": {"fr": "Relevés sur le terrain.", "en": "Field surveys."},
        "url": "https://www.transports.gouv.qc.ca/pistes",
        "spatial": {"type": "Polygon", "coordinates": [[[-73.9, 45.4], [-73.4, 45.4],
                                                        [-73.4, 45.7], [-73.9, 45.7],
                                                        [-73.9, 45.4]]]},
        "resources": [{
            "url": "https://example.ca/pistes.csv",
            "name_translated": {"fr": "Pistes (CSV)", "en": "Paths (CSV)"},
            "description_translated": {"fr": "Une ligne par tronçon.", "en": "One row per segment."},
            "resource_type": "donnees",
            "format": "CSV",
            "taille_entier": "1.2",
            **RESOURCE_QUALITY_FIELDS,
        }, {
            "url": "https://example.ca/carte",
            "name_translated": {"fr": "Carte", "en": "Map"},
            "resource_type": "cartes",
            "format": "HTML",
        }],
    }
    dataset.update(copy.deepcopy(changes))
    return dataset


def create(owner_org: str, **changes: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", **dataset_dict(owner_org, **changes))
