"""The differential oracle's package_search calls, generated from one seed.

Each call is what a visitor, a harvester or the portal's pages send: words
in French and English (accents, capitals, plurals), phrases, fielded terms,
wildcards, date ranges with date math, filter combinations, facets with
their limit, minimum count and order, sorts, pages, bounding boxes; as an
anonymous visitor, a member of two organizations or a sysadmin.
"""
from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

from .oracle_catalogue import FORMATS, KINDS, LANGUAGES, LICENSES, RELATIVE_BOUNDS, SEED, SUBJECTS, Catalogue

CALLS = 2000
USERS = (None, "member", "sysadmin")
FACET_FIELDS = ("organization", "groups", "categories", "territories", "res_format", "license_id",
                "update_frequency", "language", "res_type", "num_resources")
# Sorts whose order is total: the page is compared id by id.
DETERMINISTIC_SORTS = ("name asc", "name desc", "metadata_modified desc", "metadata_created asc",
                       "title_string asc, name asc", "num_resources desc, name asc",
                       "metadata_modified asc, name desc")
RELEVANCE_SORTS = (None, "score desc, metadata_modified desc")
ABSOLUTE_DATES = ("2017-01-01T00:00:00Z", "2019-06-15T00:00:00Z", "2021-03-01T00:00:00Z", "2023-01-01T00:00:00Z")
DATE_MATH = ("", "+6MONTHS", "-1YEAR", "+18MONTHS/MONTH", "/YEAR")
QUEBEC_BOX = (-79.0, 45.0, -58.0, 55.0)
WORDS_EN = ("data", "map", "city", "nearest", "each")
EXTRA_FR = ("données", "territoire", "proche", "Montréal", "Québec", "Gaspésie", "île")


@dataclasses.dataclass
class Call:
    number: int
    user: str | None
    params: dict[str, Any]
    # the page is compared id by id (else by its overlap with the other's)
    deterministic: bool


def _word(rng: random.Random) -> str:
    subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
    word = rng.choice((subject[0], subject[1], subject[2], subject[3], rng.choice(EXTRA_FR),
                       rng.choice(WORDS_EN), rng.choice(KINDS)[rng.randrange(2)]))
    word = word.split()[0] if rng.random() < 0.5 else word
    variant = rng.random()
    if variant < 0.15:
        return word.upper()
    if variant < 0.3:
        return word.capitalize()
    if variant < 0.4:  # typed without accents
        return word.translate(str.maketrans("éèêàâîôûç", "eeeaaiouc"))
    return word


def _text_query(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return _word(rng)
    if kind < 0.55:
        return f"{_word(rng)} {_word(rng)}"
    if kind < 0.7:
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        return f'"{rng.choice((subject[1], subject[3], subject[0]))}"'
    if kind < 0.85:
        return _fielded(rng)
    return _wildcard(rng)


def _fielded(rng: random.Random) -> str:
    subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
    return rng.choice((
        f"title_translated_fr:{subject[1].split()[0]}", f"title_translated_en:{subject[3].split()[0]}",
        f"notes_translated_fr:{subject[0].split()[0]}", f"keywords_fr:\"{subject[0]}\"",
        f"keywords_en:{subject[2].split()[0]}", f"categories:{subject[4]}",
        f"res_format:{rng.choice(FORMATS)}", f"license_id:{rng.choice(LICENSES)}",
        f"title:{subject[1].split()[0]} AND categories:{subject[4]}",
        f"text:{subject[2].split()[0]} OR text:{subject[0].split()[0]}",
        f"title_translated_fr:({subject[1].split()[0]} -{rng.choice(EXTRA_FR)})"))


def _wildcard(rng: random.Random) -> str:
    subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
    stem = subject[1][:rng.randint(3, 5)]
    return rng.choice((f"{stem}*", f"name:{subject[1][:4].replace('é', 'e')}*", f"title_translated_fr:{stem}*",
                       f"title_translated_en:{subject[3][:3]}*", f"name:*{rng.choice(('laval', 'quebec', '2015'))}*",
                       f"title_translated_en:{subject[2][:2]}?{subject[2][3:5]}*"))


def _date_range(rng: random.Random) -> str:
    field = rng.choice(("metadata_modified", "metadata_created"))
    if rng.random() < 0.5:
        low = rng.choice(sorted(RELATIVE_BOUNDS))
        return rng.choice((f"{field}:[{low} TO NOW]", f"{field}:[{low} TO *]", f"{field}:{{* TO {low}}}"))
    low, high = sorted(rng.sample(ABSOLUTE_DATES, 2))
    return f"{field}:[{low}{rng.choice(DATE_MATH)} TO {high}{rng.choice(DATE_MATH)}]"


def _filters(rng: random.Random, catalogue: Catalogue) -> list[str]:
    choices = (
        lambda: f"organization:{rng.choice(catalogue.organizations)}",
        lambda: f"categories:{SUBJECTS[rng.randrange(len(SUBJECTS))][4]}",
        lambda: f"territories:{rng.choice(catalogue.territories)}",
        lambda: f"territories:({rng.choice(catalogue.territories)} OR {rng.choice(catalogue.territories)})",
        lambda: f"res_format:{rng.choice(FORMATS)}",
        lambda: f"-res_format:{rng.choice(FORMATS)}",
        lambda: f"license_id:{rng.choice(LICENSES)}",
        lambda: f"language:{rng.choice(LANGUAGES)}",
        lambda: f"num_resources:[{rng.randint(0, 2)} TO *]",
        lambda: f'groups:"{SUBJECTS[rng.randrange(len(SUBJECTS))][4]}"',
        lambda: f"temporal_start:[{2000 + rng.randrange(24)}-01-01 TO *]",
        lambda: _date_range(rng),
    )
    return [rng.choice(choices)() for _ in range(rng.choice((1, 1, 2, 3)))]


def _facets(rng: random.Random) -> dict[str, Any]:
    fields = rng.sample(FACET_FIELDS, rng.randint(1, 4))
    params: dict[str, Any] = {"facet.field": json.dumps(fields)}
    if rng.random() < 0.5:
        params["facet.limit"] = rng.choice((-1, 1, 3, 5, 10, 50))
    if rng.random() < 0.4:
        params["facet.mincount"] = rng.choice((0, 1, 2, 5, 20))
    # package_search takes no facet.sort: a limit of -1 asks Solr's order by value.
    return params


def _bbox(rng: random.Random) -> str:
    west = rng.uniform(QUEBEC_BOX[0], QUEBEC_BOX[2] - 1)
    south = rng.uniform(QUEBEC_BOX[1], QUEBEC_BOX[3] - 1)
    east, north = west + rng.uniform(0.3, 8), south + rng.uniform(0.3, 5)
    return ",".join(f"{value:.2f}" for value in (west, south, east, north))


def _call(rng: random.Random, number: int, catalogue: Catalogue) -> Call:
    params: dict[str, Any] = {"fl": ["id", "name"]} if rng.random() < 0.85 else {}
    text = rng.random() < 0.6
    if text:
        params["q"] = _text_query(rng)
    if rng.random() < 0.6:
        filters = _filters(rng, catalogue)
        params["fq"] = " AND ".join(filters) if rng.random() < 0.5 else " ".join(
            "+" + item if not item.startswith("-") else item for item in filters)
    if rng.random() < 0.6:
        params.update(_facets(rng))
    bbox = rng.random() < 0.12
    if bbox:
        params["extras"] = {"ext_bbox": _bbox(rng)}
    sort = rng.choice(DETERMINISTIC_SORTS + RELEVANCE_SORTS) if rng.random() < 0.7 else None
    if sort:
        params["sort"] = sort
    deterministic = sort in DETERMINISTIC_SORTS or not (text or bbox)
    if deterministic:
        params["rows"] = rng.choice((0, 1, 5, 10, 10, 20, 50))
        if rng.random() < 0.3:
            params["start"] = rng.choice((1, 5, 10, 40))
    else:  # ranked: the top ten are compared, with the scores of the next ones (ties)
        params.update(rows=50, fl=["id", "name", "score"])
    user = rng.choice(USERS)
    if user and rng.random() < 0.7:
        params["include_private"] = True
    if user and rng.random() < 0.4:
        params["include_drafts"] = True
    return Call(number, user, params, deterministic)


def calls(catalogue: Catalogue, count: int = CALLS) -> list[Call]:
    rng = random.Random(SEED)
    return [_call(rng, number, catalogue) for number in range(count)]

