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
