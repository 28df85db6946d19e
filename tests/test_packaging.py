"""The built wheel carries the top-level schemas/ and i18n/ folders.

Builds the wheel from the checkout, installs it into a fresh virtualenv with
no CKAN in it, and reads a schema and the French catalogue from there.
"""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Runs inside the fresh virtualenv: only the wheel and PyYAML are installed.
PROBE = textwrap.dedent("""
    import gettext, json, os, sys
    import yaml
    from ckanext.quebec import resources

    schema_path = os.path.join(resources.schemas_directory(), "dataset.yaml")
    with open(schema_path, encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    french = gettext.translation(resources.TRANSLATION_DOMAIN,
                                 resources.i18n_directory(), languages=["fr"])
    print(json.dumps({
        "schema_path": schema_path,
        "dataset_type": schema["dataset_type"],
        "fields": [f["field_name"] for f in schema["dataset_fields"]],
        "french": french.gettext("unknown field name: {field}"),
    }))
""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> pathlib.Path:
    # Built from a copy of the checkout: setuptools writes build/ and
    # *.egg-info into the source folder, and the suite may run on two CKAN
    # versions at once.
    source = tmp_path_factory.mktemp("source") / "ckanext-quebec"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".stack", ".venv*", "node_modules", "build", "dist", "*.egg-info",
        "__pycache__", ".hypothesis", ".pytest_cache"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
        check=True, cwd=out)
    (path,) = out.glob("ckanext_quebec-*.whl")
    return path


def test_wheel_ships_schemas_and_compiled_catalogues(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for data_file in ("schemas/dataset.yaml", "schemas/presets.yaml",
                      "schemas/organization.yaml", "schemas/vocabularies/categories.yaml",
                      "schemas/solr/schema.xml", "schemas/solr/solrconfig.xml",
                      "schemas/solr/synonyms.txt", "schemas/solr/protwords.txt",
                      "dcat/vocabularies/file_types.yaml", "partners/data/partners-demo.csv",
                      "demo/data/catalogue.yaml", "demo/data/files/reseau-cyclable.geojson"):
        assert f"ckanext/quebec/{data_file}" in names, data_file
    assert any(n.startswith("ckanext/quebec/schema/templates/") for n in names)
    assert "ckanext/quebec/common/templates/quebec/common/form.html" in names  # shared macros
    for language in ("fr", "en"):
        assert f"ckanext/quebec/i18n/{language}/LC_MESSAGES/ckanext-quebec.po" in names
        assert f"ckanext/quebec/i18n/{language}/LC_MESSAGES/ckanext-quebec.mo" in names
    assert any(n.startswith("ckanext/quebec/migration/quebec_search/versions/") for n in names)
    assert "ckanext/quebec/migration/quebec_search/alembic.ini" in names


def test_installed_wheel_loads_a_schema_and_the_french_catalogue(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    yaml_pin = _installed_version("PyYAML")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--no-deps", str(wheel), f"PyYAML=={yaml_pin}"],
        check=True)
    result = subprocess.run([str(python), "-c", PROBE], check=True,
                            capture_output=True, text=True, cwd=tmp_path)
    probe = json.loads(result.stdout)
    assert probe["schema_path"].startswith(str(env_dir))
    assert probe["dataset_type"] == "dataset"
    assert {"title_translated", "notes_translated", "owner_org",
            "update_frequency"} <= set(probe["fields"])
    assert probe["french"] == "nom de champ inconnu : {field}"


def _installed_version(distribution: str) -> str:
    from importlib.metadata import version
    return version(distribution)
