"""The feeds of one web process show what another process changed (process caches checked against the database).

A second process (python with CKAN loaded on the same database) renames
an organization and changes a partner field between two requests of this one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from rdflib import Graph

from ckan.tests import factories

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_OTHER_PROCESS = textwrap.dedent("""
    import json, sys
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(sys.argv[1]))
    import ckan.plugins.toolkit as tk
    with app._wsgi_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        tk.get_action("organization_patch")({"user": site_user}, json.loads(sys.argv[2]))
""")


def _in_another_process(change: dict) -> None:
    done = subprocess.run([sys.executable, "-c", _OTHER_PROCESS, os.path.join(ROOT, "test.ini"),
                           json.dumps(change)], cwd=ROOT, env=os.environ.copy(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def _pages(app, dataset, order) -> dict[str, str]:
    """The pages in ``order``: each one first after the change, so no other page refreshed a cache for it."""
    paths = {"catalog": "/catalog.ttl", "dataset": f"/dataset/{dataset['name']}.ttl",
             "page": f"/dataset/{dataset['name']}"}
    pages = {name: app.get(paths[name]) for name in order}
    assert all(response.status_code == 200 for response in pages.values())
    texts = {name: response.get_data(as_text=True) for name, response in pages.items()}
    for name in set(texts) - {"page"}:
        Graph().parse(data=texts[name], format="turtle")
    return texts


# quebec_search only: the other process is CKAN from test.ini, with quebec_search (on Solr,
# tests/partners/test_facets.py checks that a retitled organization is retitled on its datasets).
@pytest.mark.search_backend("postgres")
@pytest.mark.parametrize("first", ["catalog", "dataset", "page"])
def test_a_change_made_by_another_process_is_in_the_next_feed(app, first):
    organization = factories.Organization(title="Ancien nom de la ville")
    dataset = factories.Dataset(owner_org=organization["id"])
    before = _pages(app, dataset, ["catalog", "dataset", "page"])
    assert all("Ancien nom de la ville" in text for text in before.values())

    _in_another_process({"id": organization["id"], "title": "Nouveau nom de la ville"})

    after = _pages(app, dataset, [first])
    assert "Nouveau nom de la ville" in after[first]
    assert "Ancien nom de la ville" not in after[first]
