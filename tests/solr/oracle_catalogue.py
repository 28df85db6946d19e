"""The differential oracle's generated catalogue: bilingual datasets written to the database in bulk.

The datasets are stored as CKAN and the Québec schema store them (the
schema's fields as extras, categories as group memberships, resources with
their translated names), so that CKAN's own indexing, run once the rows are
there, builds every index document as it would for a dataset made through
the API. Everything comes from one seeded random generator: the same
catalogue on every run and both CKAN versions. The dates keep clear of the
relative bounds the calls use (``RELATIVE_BOUNDS``), so a run that crosses
midnight between the two backends still asks both the same question.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import unicodedata
import uuid
from typing import Any

from ckan import model

from ckanext.quebec.schema import vocabularies

SEED = 20261205
DATASETS = 2000

# Subjects: French singular and plural, English singular and plural, category.
SUBJECTS = (
    ("école", "écoles", "school", "schools", "education-recherche"),
    ("parc", "parcs", "park", "parks", "tourisme-sports-loisirs"),
    ("rivière", "rivières", "river", "rivers", "environnement-ressources-naturelles-energie"),
    ("hôpital", "hôpitaux", "hospital", "hospitals", "sante"),
    ("piste cyclable", "pistes cyclables", "bike path", "bike paths", "transport"),
    ("forêt", "forêts", "forest", "forests", "environnement-ressources-naturelles-energie"),
    ("bibliothèque", "bibliothèques", "library", "libraries", "societe-culture"),
    ("élection", "élections", "election", "elections", "gouvernement-finances"),
    ("entreprise", "entreprises", "business", "businesses", "economie-entreprises"),
    ("ferme", "fermes", "farm", "farms", "agriculture-alimentation"),
    ("collision routière", "collisions routières", "road collision", "road collisions",
     "loi-justice-securite-publique"),
    ("logement social", "logements sociaux", "social housing", "social housings", "politiques-sociales"),
    ("pont", "ponts", "bridge", "bridges", "infrastructures"),
    ("arrêt d'autobus", "arrêts d'autobus", "bus stop", "bus stops", "transport"),
    ("aréna", "arénas", "arena", "arenas", "tourisme-sports-loisirs"),
    ("déneigement", "déneigements", "snow removal", "snow removals", "infrastructures"),
)
# What a dataset is about a subject: French, English.
KINDS = (("Inventaire", "Inventory"), ("Carte", "Map"), ("Liste", "List"),
         ("Statistiques", "Statistics"), ("Localisation", "Location"), ("Entretien", "Maintenance"))
FORMATS = ("CSV", "GeoJSON", "XLSX", "SHP", "PDF", "HTML", "JSON")
RESOURCE_TYPES = ("donnees", "cartes", "web", "documentation")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual", "irregular", "asNeeded")
LICENSES = ("cc-by", "ogl-canada-2.0")
LANGUAGES = ("FR", "EN", "FR_EN")
# Organizations of the generated catalogue, beside the demo's.
ORGANIZATIONS = ("ville-de-trois-rivieres", "societe-de-transport-oracle", "universite-oracle")
# The generated catalogue's dates: ten years back from its reference day.
YEARS_BACK = 10
# Date-math bounds the calls send relative to now: a dataset date never falls
# within two days of one of them.
RELATIVE_BOUNDS = {"NOW/DAY-7DAYS": dt.timedelta(days=7), "NOW/DAY-1MONTH": dt.timedelta(days=31),
                   "NOW/DAY-6MONTHS": dt.timedelta(days=183), "NOW/DAY-1YEAR": dt.timedelta(days=366),
                   "NOW/DAY-3YEARS": dt.timedelta(days=1096)}
_MARGIN = dt.timedelta(days=3)


@dataclasses.dataclass
class Catalogue:
    """What the calls need to know of the generated catalogue."""

    names: list[str]
    organizations: list[str]
    territories: list[str]
    today: dt.date


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def territory_places() -> dict[str, str]:
    """Each territory's French label without its kind, e.g. ``Montréal``."""
    return {entry["value"]: entry["label"]["fr"].split(" (")[0] for entry in vocabularies.get("territories")}


def _clear_of_bounds(moment: dt.datetime, today: dt.date) -> bool:
    midnight = dt.datetime.combine(today, dt.time())
    return all(abs(moment - (midnight - offset)) > _MARGIN for offset in RELATIVE_BOUNDS.values())


def _moment(rng: random.Random, today: dt.date, days_back: int) -> dt.datetime:
    while True:
        day = today - dt.timedelta(days=rng.randint(days_back // 4, days_back) + 1)
        moment = dt.datetime.combine(day, dt.time(rng.randint(9, 15), rng.randint(0, 59), rng.randint(0, 59),
                                                  rng.randint(0, 999999)))
        if _clear_of_bounds(moment, today):
            return moment


def _texts(rng: random.Random, number: int, places: dict[str, str], territories: list[str]) -> dict[str, Any]:
    subject = SUBJECTS[number % len(SUBJECTS)]
    other = SUBJECTS[rng.randrange(len(SUBJECTS))]
    kind_fr, kind_en = KINDS[rng.randrange(len(KINDS))]
    place = places[territories[0]]
    year = 2010 + number % 15
    title = {"fr": f"{kind_fr} des {subject[1]} de {place} {year}",
             "en": f"{kind_en} of {subject[3]} in {place} {year}"}
    notes = {"fr": f"Les {subject[1]} du territoire de {place}, avec leur {other[0]} le plus proche. "
                   f"Données de {year}.",
             "en": f"The {subject[3]} of {place}, each with its nearest {other[2]}. Data from {year}."}
    keywords = {"fr": [subject[0], kind_fr.lower(), other[1]], "en": [subject[2], kind_en.lower()]}
    shape = rng.random()
    if shape < 0.2:  # described in French only
        for texts in (title, notes, keywords):
            del texts["en"]
    elif shape < 0.3:  # English machine-translated from French
        for texts in (title, notes, keywords):
            texts["en-t-fr"] = texts.pop("en")
    return {"title": title, "notes": notes, "keywords": keywords, "categories": [subject[4], other[4]],
            "subject": subject}


def _extent(rng: random.Random, territories: list[str]) -> dict[str, Any]:
    west, south, east, north = vocabularies.envelope("territories", territories)
    if rng.random() < 0.3:  # a part of the territories' box
        width, height = east - west, north - south
        west, south = west + rng.random() * width / 2, south + rng.random() * height / 2
        east, north = west + width / 4, south + height / 4
    west, south, east, north = (round(value, 3) for value in (west, south, east, north))
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                [west, north], [west, south]]]}


def _resources(rng: random.Random, dataset_id: str, subject: tuple, created: dt.datetime) -> list[model.Resource]:
    resources = []
    for position in range(rng.choice((0, 1, 1, 2, 2, 3))):
        file_format = FORMATS[rng.randrange(len(FORMATS))]
        name = {"fr": f"Fichier des {subject[1]} ({file_format})", "en": f"{subject[3]} file ({file_format})"}
        resource = model.Resource(
            package_id=dataset_id, url=f"https://donnees.example.ca/{dataset_id[:8]}/{position}.{file_format.lower()}",
            format=file_format, name=name["fr"], description=f"Une ligne par {subject[0]}.",
            resource_type=RESOURCE_TYPES[rng.randrange(len(RESOURCE_TYPES))], created=created,
            metadata_modified=created,
            extras={"name_translated": json.dumps(name, ensure_ascii=False),
                    "taille_entier": f"{rng.randint(1, 9000) / 100:.2f}"})
        resource.id, resource.position, resource.state = str(uuid.UUID(int=rng.getrandbits(128))), position, "active"
        resources.append(resource)
    return resources


def _dataset(rng: random.Random, number: int, owners: dict[str, str], places: dict[str, str],
             creators: dict[str, str], today: dt.date) -> tuple[model.Package, list]:
    """One dataset, its resources and its memberships (organization, categories)."""
    territories = rng.sample(sorted(places), rng.choice((1, 1, 2)))
    texts = _texts(rng, number, places, territories)
    organization = rng.choice(sorted(owners))
    created = _moment(rng, today, YEARS_BACK * 365)
    modified = created + (today - dt.timedelta(days=1) - created.date()) * rng.random()
    if not _clear_of_bounds(modified, today):
        modified = created
    dataset_id = str(uuid.UUID(int=rng.getrandbits(128)))
    state = "draft" if rng.random() < 0.06 else "active"
    creator = rng.choice(("member", "editor")) if state == "draft" else "sysadmin"
    start = 2000 + rng.randrange(24)
    extras = {
        "title_translated": texts["title"], "notes_translated": texts["notes"],
        "keywords": texts["keywords"], "categories": sorted(set(texts["categories"])),
        "territories": territories, "spatial": _extent(rng, territories),
        "organisation_principale": organization, "update_frequency": rng.choice(FREQUENCIES),
        "temporal_start": f"{start}-01-01", "temporal_end": f"{start + rng.randrange(5)}-12-31",
        "language": rng.choice(LANGUAGES)}
    dataset = model.Package(
        id=dataset_id, name=f"{slug(texts['title']['fr'])}-{number:04d}", type="dataset",
        title=texts["title"]["fr"], notes=texts["notes"]["fr"], owner_org=owners[organization],
        private=rng.random() < 0.15, state=state, license_id=rng.choice(LICENSES),
        author=f"Service des {texts['subject'][1]}", author_email="donnees@example.ca",
        url=f"https://donnees.example.ca/{number}", creator_user_id=creators[creator],
        metadata_created=created, metadata_modified=modified)
    dataset.extras = {key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                      for key, value in extras.items()}
    members = [model.Member(table_id=dataset_id, table_name="package", group_id=owners[organization],
                            capacity="organization", state="active")]
    return dataset, _resources(rng, dataset_id, texts["subject"], created) + members


def write(count: int = DATASETS, today: dt.date | None = None) -> Catalogue:
    """Write ``count`` datasets to the database (CKAN's automatic indexing off), in one commit.

    The organizations (the demo's and ``ORGANIZATIONS``), the category
    groups and the users ``member``, ``editor`` and ``sysadmin`` exist already.
    """
    rng = random.Random(SEED)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    organizations = model.Session.query(model.Group.name, model.Group.id).filter_by(
        is_organization=True, state="active")
    owners = dict(organizations)
    groups = dict(model.Session.query(model.Group.name, model.Group.id).filter_by(
        is_organization=False, state="active"))
    creators = {name: model.User.get(name).id for name in ("member", "editor", "sysadmin")}
    places = territory_places()
    names = []
    for number in range(count):
        dataset, related = _dataset(rng, number, owners, places, creators, today)
        model.Session.add(dataset)
        model.Session.add_all(related)
        for category in json.loads(dataset.extras["categories"]):
            model.Session.add(model.Member(table_id=dataset.id, table_name="package", group_id=groups[category],
                                           capacity="public", state="active"))
        names.append(dataset.name)
    model.Session.commit()
    return Catalogue(names=names, organizations=sorted(owners), territories=sorted(places), today=today)
