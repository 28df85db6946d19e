"""Hypothesis strategies for the API fuzz: bad values of every kind, and the
suite's objects with schema fields replaced by them.

The fields come from the scheming schema files (schemas/dataset.yaml,
schemas/organization.yaml), their good values from the vocabularies those
fields name and from a complete dataset and partner of the dcat tests.
"""
from __future__ import annotations

import copy
import os
from typing import Any

import yaml
from hypothesis import strategies as st

from ckanext.quebec import resources
from ckanext.quebec.schema import vocabularies

from tests.dcat import schema_datasets

# Strings that broke or could break a parser, a validator or SQL somewhere.
NASTY_TEXT = [
    "", " ", "\x00", "a\x00b", "-1", "0", "1.5", "1e308", "NaN", "inf", "9" * 40, str(2 ** 63),
    "' OR 1=1 --", '"; DROP TABLE package; --', "%", "_", "\\", "../../etc/passwd",
    "<script>alert(1)</script>", "null", "true", "false", "{}", "[]", '{"fr": 1}',
    "2024-02-30", "2024-13-01", "0000-00-00", "fr", "en", "en-t-fr", "é" * 3000,
    "http://", "http://127.0.0.1:1/x", "http://[::1]/", "file:///etc/passwd", "ftp://x/y",
    "javascript:alert(1)", "a@", "@b", "Ｑuébec", "\u202e", "\ud7ff", "*:*", "NOW-1DAY",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    '{"type": "Point", "coordinates": [999, -999]}', '{"type": "Polygon"}',
]
TEXT = st.one_of(st.sampled_from(NASTY_TEXT),
                st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=16))
# Text PostgreSQL can hold (no NUL character).
STORABLE_TEXT = TEXT.filter(lambda text: "\x00" not in text)
SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
KEYS = st.one_of(st.sampled_from(["fr", "en", "en-t-fr", "fr-t-en", "", "type", "coordinates"]),
                 st.text(max_size=6))
# Any JSON value: what a request body can carry.
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=6)


def _schema(name: str) -> dict[str, Any]:
    with open(os.path.join(resources.schemas_directory(), name), encoding="utf-8") as file:
        return yaml.safe_load(file)


def _field_names(schema: dict[str, Any], key: str) -> list[str]:
    return [field["field_name"] for field in schema[key]]


def _choices(schema: dict[str, Any], keys: tuple[str, ...]) -> list[Any]:
    """The values the schema's fields offer: their vocabularies' and inline choices."""
    found: list[Any] = []
    for key in keys:
        for field in schema[key]:
            if field.get("vocabulary"):
                found += [entry["value"] for entry in vocabularies.get(field["vocabulary"])]
            found += [choice["value"] for choice in field.get("choices", [])]
    return found


DATASET_SCHEMA = _schema("dataset.yaml")
ORGANIZATION_SCHEMA = _schema("organization.yaml")
DATASET_FIELDS = _field_names(DATASET_SCHEMA, "dataset_fields")
RESOURCE_FIELDS = _field_names(DATASET_SCHEMA, "resource_fields")
ORGANIZATION_FIELDS = _field_names(ORGANIZATION_SCHEMA, "fields")

_GOOD_DATASET = schema_datasets.dataset_dict("mtq")
_GOOD_PARTNER = dict(schema_datasets.PARTNER_FIELDS, name="partenaire", partner_type="ministere",
                     title_translated={"fr": "Partenaire", "en": "Partner"},
                     organisation_principale="gouvernement-du-quebec")
# Good values of every field, and each field's vocabulary values: given to
# another field, or to the right one, they take the validators further.
GOOD_VALUES = (list(_GOOD_DATASET.values()) + list(_GOOD_DATASET["resources"][0].values())
               + list(_GOOD_PARTNER.values())
               + _choices(DATASET_SCHEMA, ("dataset_fields", "resource_fields"))
               + _choices(ORGANIZATION_SCHEMA, ("fields",)))
FIELD_VALUES = st.one_of(VALUES, st.sampled_from(GOOD_VALUES))


def _with(base: dict[str, Any], fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """``base`` with some of ``fields`` set to fuzzed values (or removed)."""
    changes = st.dictionaries(st.sampled_from(fields), st.one_of(FIELD_VALUES, st.just(...)),
                              max_size=4)

    def applied(change: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(base)
        for field, value in change.items():
            if value is ...:
                data.pop(field, None)
            else:
                data[field] = value
        return data
    return changes.map(applied)


# New names, so that a good dataset or organization is created, not refused as a duplicate.
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=2, max_size=30)


def dataset(owner_org: str, name: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A complete Québec dataset of ``owner_org`` (a new one unless ``name`` is given) with
    some dataset and resource fields fuzzed."""
    fields = (st.just(name) if name else NAMES).flatmap(
        lambda name: _with(dict(_GOOD_DATASET, name=name, owner_org=owner_org), DATASET_FIELDS))
    resource = _with(_GOOD_DATASET["resources"][0], RESOURCE_FIELDS)
    return st.tuples(fields, resource).map(
        lambda pair: dict(pair[0], resources=[pair[1]]) if "resources" in pair[0] else pair[0])


def resource(package_id: str) -> st.SearchStrategy[dict[str, Any]]:
    return _with(dict(_GOOD_DATASET["resources"][0], package_id=package_id), RESOURCE_FIELDS)


def organization() -> st.SearchStrategy[dict[str, Any]]:
    return NAMES.flatmap(lambda name: _with(dict(_GOOD_PARTNER, name=name), ORGANIZATION_FIELDS))


def changes(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A patch: a few of ``fields`` with fuzzed values."""
    return st.dictionaries(st.sampled_from(fields), FIELD_VALUES, min_size=1, max_size=4)
