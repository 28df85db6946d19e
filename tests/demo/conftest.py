"""Fixtures of the demo catalogue tests."""
from __future__ import annotations

import os

import pytest

from ckan import model
from ckan.lib import uploader


@pytest.fixture
def uploads_removed():
    """Remove the files the test uploaded, so test runs leave none behind."""
    yield
    for (resource_id,) in model.Session.query(model.Resource.id).filter_by(url_type="upload"):
        path = uploader.get_resource_uploader({}).get_path(resource_id)
        if isinstance(path, str) and os.path.isabs(path) and os.path.isfile(path):
            os.remove(path)
            for folder in (os.path.dirname(path), os.path.dirname(os.path.dirname(path))):
                if not os.listdir(folder):
                    os.rmdir(folder)


@pytest.fixture
def small_catalogue(tmp_path):
    """Write a catalogue of the named demo datasets beside the demo files; return its path."""
    import yaml

    from ckanext.quebec.demo import loader

    def write(*names: str) -> str:
        catalogue = loader.read_catalogue()
        catalogue["datasets"] = [d for d in catalogue["datasets"] if d["name"] in names]
        os.symlink(loader.files_directory(loader.default_catalogue_path()),
                   tmp_path / loader.FILES_FOLDER)
        path = tmp_path / loader.CATALOGUE_FILE
        path.write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def interrupted_load(monkeypatch):
    """Load a catalogue with a failure ("disk full") on the air-quality stations file."""
    from ckanext.quebec.demo import loader

    def run(path: str) -> None:
        create = loader._Loader._create_resource

        def fail_on_second_file(self, dataset_id, resource):
            if resource.get("file") == "stations-qualite-air.csv":
                raise RuntimeError("disk full")
            create(self, dataset_id, resource)

        with monkeypatch.context() as patch:
            patch.setattr(loader._Loader, "_create_resource", fail_on_second_file)
            with pytest.raises(RuntimeError):
                loader.load(path)
    return run
