"""The portal's vocabularies, read from the YAML files of ``schemas/vocabularies/``.

Each file is a list of entries: a ``value``, a ``label`` in French and English
and, where one exists, a URI (``uri``, ``uris`` or, for categories,
``eu_theme``). Territories also have a ``code``, a ``bbox`` [west, south,
east, north] and the ``parents`` they lie in (values of the same file);
update frequencies with a period have the most ``days`` between two updates. A file that breaks these rules stops the loading with an error
naming the file and the entry, so a typo fails at start-up or in the tests,
not in front of a user.
"""
from __future__ import annotations

import functools
import os
from typing import Any

import yaml

from ckanext.quebec import resources

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_URI_KEYS = ("uri", "eu_theme")
_URI_LIST_KEYS = ("uris",)


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used as it is."""


def directory() -> str:
    """The folder of the packaged vocabulary files."""
    return os.path.join(resources.schemas_directory(), "vocabularies")


@functools.cache
def load(folder: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every vocabulary of ``folder`` (the packaged one by default), by name.

    A vocabulary's name is its file name without ``.yaml``. Loaded once per
    folder; callers get the cached lists and must not change them.
    """
    folder = folder or directory()
    return {
        name[: -len(".yaml")]: _load_file(os.path.join(folder, name))
        for name in sorted(os.listdir(folder))
        if name.endswith(".yaml")
    }


def names() -> list[str]:
    """The names of the vocabularies, sorted."""
    return list(load())


def get(name: str) -> list[dict[str, Any]]:
    """The entries of vocabulary ``name``, in the file's order.

    :raises KeyError: no vocabulary has that name.
    """
    return load()[name]


def label(name: str, value: str, language: str = DEFAULT_LANGUAGE) -> str | None:
    """The label of ``value`` in vocabulary ``name``, or None if it has no such value.

    A language other than fr and en (or a locale such as ``en_CA``, read as
    ``en``) falls back to French, the portal's language.

    :raises KeyError: no vocabulary has that name.
    """
    language = language.split("_")[0].split("-")[0].lower()
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    for entry in get(name):
        if entry["value"] == value:
            return entry["label"][language]
    return None


def entry(name: str, value: str) -> dict[str, Any] | None:
    """The entry of ``value`` in vocabulary ``name``, or None."""
    for candidate in get(name):
        if candidate["value"] == value:
            return candidate
    return None


def by_value(name: str, key: str) -> dict[str, Any]:
    """``{value: entry[key]}`` for the entries of vocabulary ``name`` that have ``key``.

    :raises KeyError: no vocabulary has that name.
    """
    return {entry["value"]: entry[key] for entry in get(name) if key in entry}


def with_ancestors(name: str, values: list[str]) -> list[str]:
    """``values`` followed by every entry they lie in (``parents``, transitively), once each."""
    out: list[str] = []
    pending = list(values)
    while pending:
        value = pending.pop(0)
        if value in out:
            continue
        out.append(value)
        found = entry(name, value)
        pending.extend(found.get("parents", []) if found else [])
    return out


def envelope(name: str, values: list[str]) -> tuple[float, float, float, float] | None:
    """The smallest [west, south, east, north] box holding the ``bbox`` of each of ``values``.

    None when none of them has a bbox.
    """
    boxes = [found["bbox"] for found in (entry(name, value) for value in values)
             if found and "bbox" in found]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _load_file(path: str) -> list[dict[str, Any]]:
    where = _shown_path(path)
    try:
        with open(path, encoding="utf-8") as f:
            entries = yaml.safe_load(f)
    except yaml.YAMLError as error:
        raise VocabularyError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(entries, list) or not entries:
        raise VocabularyError(f"{where}: must be a non-empty list of entries")
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        _check_entry(entry, f"{where}, entry {position}", seen)
    for position, entry in enumerate(entries, start=1):
        for parent in entry.get("parents", []):
            if parent not in seen or parent == entry["value"]:
                raise VocabularyError(
                    f"{where}, entry {position} ({entry['value']!r}): unknown parent {parent!r}")
    return entries


def _check_entry(entry: Any, where: str, seen: set[str]) -> None:
    if not isinstance(entry, dict):
        raise VocabularyError(f"{where}: must be a mapping with a value and a label")
    value = entry.get("value")
    if not isinstance(value, str) or not value.strip():
        raise VocabularyError(f"{where}: has no value")
    where = f"{where} ({value!r})"
    if value in seen:
        raise VocabularyError(f"{where}: repeats a value already in the file")
    seen.add(value)
    labels = entry.get("label")
    if not isinstance(labels, dict):
        raise VocabularyError(f"{where}: has no label (a mapping of fr and en)")
    for language in LANGUAGES:
        text = labels.get(language)
        if not isinstance(text, str) or not text.strip():
            raise VocabularyError(f"{where}: has no {language} label")
    for key in _URI_KEYS:
        if key in entry:
            _check_uri(entry[key], f"{where}, {key}")
    for key in _URI_LIST_KEYS:
        if key in entry:
            uris = entry[key]
            if not isinstance(uris, list) or not uris:
                raise VocabularyError(f"{where}, {key}: must be a non-empty list of URIs")
            for uri in uris:
                _check_uri(uri, f"{where}, {key}")
    if "code" in entry and (not isinstance(entry["code"], str) or not entry["code"].strip()):
        raise VocabularyError(f"{where}: the code must be a non-empty text")
    if "days" in entry and (not isinstance(entry["days"], int) or isinstance(entry["days"], bool)
                            or entry["days"] < 1):
        raise VocabularyError(f"{where}: days must be a whole number of days, 1 or more")
    if "bbox" in entry:
        _check_bbox(entry["bbox"], f"{where}, bbox")
    if "parents" in entry and (not isinstance(entry["parents"], list)
                               or not all(isinstance(p, str) for p in entry["parents"])):
        raise VocabularyError(f"{where}: parents must be a list of values")


def _check_bbox(bbox: Any, where: str) -> None:
    numbers = isinstance(bbox, list) and len(bbox) == 4 and all(
        isinstance(n, (int, float)) and not isinstance(n, bool) for n in bbox)
    if not numbers or not (-180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90):
        raise VocabularyError(f"{where}: must be [west, south, east, north] in degrees")


def _check_uri(uri: Any, where: str) -> None:
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        raise VocabularyError(f"{where}: {uri!r} is not an http(s) URI")


def _shown_path(path: str) -> str:
    """``schemas/vocabularies/x.yaml`` for a packaged file, the full path otherwise."""
    schemas = resources.schemas_directory()
    if os.path.commonpath([schemas, os.path.abspath(path)]) == schemas:
        return os.path.join("schemas", os.path.relpath(path, schemas))
    return path
