"""The quality read by package_show and the indexing hooks leaves the caller's transaction alone."""
from __future__ import annotations

import pytest

from ckan.model.modification import DomainObjectModificationExtension
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
]


@pytest.fixture
def notified_while_notifying(monkeypatch) -> list[str]:
    """Each dataset change CKAN tells its observers (the search index) of while it tells one."""
    nested: list[str] = []
    running: list[str] = []
    notify = DomainObjectModificationExtension.notify

    def watched(self, entity, operation):
        if running:
            nested.append(entity.id)
        running.append(entity.id)
        try:
            return notify(self, entity, operation)
        finally:
            running.pop()

    monkeypatch.setattr(DomainObjectModificationExtension, "notify", watched)
    return nested


def test_indexing_a_dataset_does_not_index_it_again(notified_while_notifying):
    # SQLAlchemy 1.4 (CKAN 2.11) runs CKAN's before_commit, which indexes the
    # changed datasets, when a savepoint commits: the quality read of
    # package_show ended its savepoint so, and indexed the dataset again from
    # inside its indexing (123 times for one package_create).
    dataset = factories.Dataset(resources=[{"url": "http://127.0.0.1:1/a.csv"}])
    helpers.call_action("package_patch", id=dataset["id"], notes="Autre description")
    assert helpers.call_action("package_show", id=dataset["id"])["quebec_quality"] is None
    assert notified_while_notifying == []


def test_the_indexed_document_holds_no_nested_object():
    """package_show's ``quebec_quality`` (a dict) stays out of the search document.

    CKAN 2.11 indexes package_show's output with the plugins' fields added
    (its rebuild, quebec_quality_run's reindex); Solr reads an object in a
    document as a child document and refused it ("missing required field:
    site_id"): the dataset left the index at each quality run.
    """
    import ckan.plugins as plugins

    organization = factories.Organization()
    dataset = factories.Dataset(owner_org=organization["id"])
    helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert isinstance(shown["quebec_quality"], dict)

    # as CKAN's index_package hands it to the plugins (the organization by its name)
    document = dict(shown, organization=shown["organization"]["name"])
    for plugin in plugins.PluginImplementations(plugins.IPackageController):
        document = plugin.before_dataset_index(document)

    assert document["quality_level"] == shown["quebec_quality"]["level"]
    assert not [key for key, value in document.items() if isinstance(value, dict)]
