"""No page of the portal needs inline script: its main pages, in Chromium, under quebec_security's Content-Security-Policy.

Every page is loaded with all the suite's plugins; the test fails on any CSP
violation the browser reports and on any JavaScript error.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

# The browser fixtures come from tests/browser/conftest.py: imported into another
# folder, its session-wide browser would be started twice in one process.
from tests.demo.conftest import small_catalogue  # noqa: F401 (fixture)
from tests.security.conftest import ALL_PLUGINS, activity_tables  # noqa: F401 (fixture)
from tests.viz.conftest import run_jobs  # noqa: F401 (fixture)

PASSWORD = "Sup3r-secret-pass"

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables", "clean_queues"),
    pytest.mark.ckan_config("ckan.plugins", ALL_PLUGINS),
    # Tiles from a closed local port: the map's tile host is in the policy's img-src.
    pytest.mark.ckan_config("ckanext.quebec.viz.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"),
]

# Runs before any script of the page, outside its policy.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile}:${event.lineNumber}: ${event.sample}`);
});
"""


@pytest.fixture
def watched(page):  # noqa: F811 (fixture from tests.browser.conftest)
    """The page, with a list of what went wrong on it: CSP violations and JavaScript errors."""
    problems: list[str] = []
    page.add_init_script(LISTEN)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text else None)
    return page, problems


def _visit(watched, url: str) -> list[str]:
    """Load ``url``, let its scripts and requests settle; what went wrong there."""
    page, problems = watched
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, url
    found = problems + page.evaluate("window.__violations")
    problems.clear()
    return [f"{url}: {problem}" for problem in found]


@pytest.fixture
def catalogue(small_catalogue, run_jobs):  # noqa: F811
    from ckanext.quebec.demo import loader

    loader.load(small_catalogue("bornes-de-recharge", "comptages-velos"))
    run_jobs()
    return helpers.call_action("package_show", id="bornes-de-recharge")


def _page_urls(dataset: dict) -> list[str]:
    urls = ["/", "/dataset/", "/dataset/?q=recharge", f"/dataset/{dataset['name']}",
            f"/dataset/{dataset['name']}/quality", f"/organization/{dataset['organization']['name']}",
            f"/organization/{dataset['organization']['name']}/quality", "/organization/",
            "/partenaires", "/partenaires/statistiques", "/group/", "/user/login", "/en/dataset/"]
    for resource in dataset["resources"]:
        url = f"/dataset/{dataset['name']}/resource/{resource['id']}"
        urls.append(url)
        views = helpers.call_action("resource_view_list", id=resource["id"])
        urls.extend(f"{url}?view_id={view['id']}" for view in views)
    return urls


def test_no_page_breaks_the_policy(live_server, watched, catalogue):  # noqa: F811
    views = [url for url in _page_urls(catalogue) if "view_id=" in url]
    assert len(views) >= 3, "the table, chart and map views were not created"

    problems = [problem for url in _page_urls(catalogue)
                for problem in _visit(watched, live_server + url)]

    assert not problems, "\n".join(problems)


def test_forms_work_under_the_policy(live_server, watched, catalogue):  # noqa: F811
    page, _problems = watched
    # No image from another site (the factory gives one): img-src is the portal alone.
    admin = factories.Sysadmin(password=PASSWORD, image_url="")
    assert not _visit(watched, f"{live_server}/user/login")
    page.fill("#field-login", admin["name"])
    page.fill("#field-password", PASSWORD)
    page.press("#field-password", "Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)

    name = catalogue["name"]
    problems = [problem for url in ("/dataset/new", f"/dataset/edit/{name}",
                                    f"/dataset/{name}/resource/new",
                                    f"/organization/edit/{catalogue['organization']['name']}")
                for problem in _visit(watched, live_server + url)]
    assert not problems, "\n".join(problems)

    # The resource form's buttons work without their inline handlers.
    _visit(watched, f"{live_server}/dataset/{name}/resource/new")
    page.click("#resource-link-button")
    assert page.is_checked("#resource-url-link")
    assert page.evaluate("document.activeElement.id") == "field-resource-url"
    page.fill("#field-resource-url", "https://example.org/bornes.csv")
    page.click(".select-type:has(#field-resource-url) .btn-remove-url")
    assert page.is_checked("#resource-url-none")
    assert page.input_value("#field-resource-url") == ""
    with page.expect_file_chooser():
        page.click("#resource-upload-button")
    assert page.is_checked("#resource-url-upload")
    assert not page.evaluate("window.__violations")
    assert not _problems
