"""The suite's catalogues translate every string the code marks, in fr and en."""
from __future__ import annotations

import os
import pathlib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from ckanext.quebec import resources

ROOT = pathlib.Path(__file__).resolve().parent.parent
METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
    ("**.js", "javascript"),
]
# CKAN's template extractor brings its own Jinja extensions (ckan_extends, ...).
OPTIONS: dict = {}


def _marked_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "ckanext"), METHOD_MAP, OPTIONS, keywords={"_": None, "ungettext": (1, 2)}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(language: str):
    path = os.path.join(resources.i18n_directory(), language, "LC_MESSAGES",
                        f"{resources.TRANSLATION_DOMAIN}.po")
    with open(path, "rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_translates_every_marked_string(language):
    catalogue = _catalogue(language)
    missing = sorted(s for s in _marked_strings() if not (catalogue.get(s) and catalogue.get(s).string))
    assert not missing, f"untranslated in {language}: {missing}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_has_no_empty_or_fuzzy_entry(language):
    for message in _catalogue(language):
        if not message.id:
            continue
        assert message.string, f"{message.id!r} has no {language} translation"
        assert not message.fuzzy, f"{message.id!r} is fuzzy in {language}"
