"""Datasets of the quebec_dcat tests: core CKAN fields, and the bilingual schema's fields as extras."""
from __future__ import annotations

import json
from typing import Any

from ckan.tests import factories, helpers

GEOJSON = json.dumps({
    "type": "Polygon",
    "coordinates": [[[-79.8, 45.0], [-57.1, 45.0], [-57.1, 62.6], [-79.8, 62.6], [-79.8, 45.0]]],
})

# The fields of the bilingual schema, as they will come out of package_show.
BILINGUAL_FIELDS: dict[str, Any] = {
    "title_translated": {"fr": "Arbres publics", "en": "Public trees"},
    "notes_translated": {
        "fr": "Inventaire des arbres publics de la ville.",
        "en": "Inventory of the city's public trees.",
    },
    "keywords": {"fr": ["arbres", "forêt urbaine"], "en": ["trees", "urban forest"]},
    "methodologie_translated": {
        "fr": "Relevés sur le terrain par les arboriculteurs.",
        "en": "Field surveys by the city's arborists.",
    },
    "organisation_principale": "ville-de-montreal",
    "update_frequency": "monthly",
    "temporal_start": "2020-01-01",
    "temporal_end": "2025-12-31",
    "language": "FR_EN",
    "spatial": GEOJSON,
}

RESOURCE_FIELDS: dict[str, Any] = {
    "name_translated": {"fr": "Arbres (CSV)", "en": "Trees (CSV)"},
    "description_translated": {"fr": "Un arbre par ligne.", "en": "One tree per row."},
    "resource_type": "donnees",
}


def organization() -> dict[str, Any]:
    return factories.Organization(name="ville-de-montreal", title="Ville de Montréal")


def core_dataset(**fields: Any) -> dict[str, Any]:
    """A dataset with every core field filled in."""
    org = organization()
    return factories.Dataset(
        name="arbres-publics",
        title="Arbres publics",
        notes="Inventaire des arbres publics de la ville.",
        owner_org=org["id"],
        url="https://donnees.montreal.ca/arbres",
        version="1.0",
        author="Service des grands parcs",
        author_email="donneesouvertes@montreal.ca",
        maintainer="Bureau des données",
        maintainer_email="donnees@montreal.ca",
        license_id="cc-by",
        tags=[{"name": "arbres"}, {"name": "forêt"}],
        resources=[
            {
                "url": "https://donnees.montreal.ca/arbres.csv",
                "name": "Arbres (CSV)",
                "description": "Un arbre par ligne.",
                "format": "CSV",
                "size": 12345,
            },
            {
                "url": "https://donnees.montreal.ca/arbres.geojson",
                "name": "Arbres (GeoJSON)",
                "format": "GeoJSON",
            },
        ],
        **fields,
    )


def bilingual_dataset() -> dict[str, Any]:
    """A core dataset carrying the bilingual schema's fields (as extras until the schema lands)."""
    group = factories.Group(name="environnement-ressources-naturelles-energie")
    dataset = core_dataset(
        groups=[{"name": group["name"]}],
        extras=[
            {"key": key, "value": value if isinstance(value, str) else json.dumps(value)}
            for key, value in BILINGUAL_FIELDS.items()
        ],
    )
    for resource in dataset["resources"]:
        helpers.call_action("resource_patch", id=resource["id"], **RESOURCE_FIELDS)
    return helpers.call_action("package_show", id=dataset["id"])


def as_schema_dict(dataset: dict[str, Any]) -> dict[str, Any]:
    """package_show's dict as the bilingual schema will give it: extras at the top level, parsed."""
    dataset = dict(dataset)
    for extra in dataset.pop("extras", []):
        value = extra["value"]
        try:
            # spatial stays GeoJSON text, as ckanext-spatial stores it.
            if extra["key"] != "spatial" and value[:1] in "[{":
                value = json.loads(value)
        except ValueError:
            pass
        dataset[extra["key"]] = value
    return dataset
