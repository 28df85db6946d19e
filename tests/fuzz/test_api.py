"""Every action of the suite, and CKAN's dataset, resource and organization
actions with every schema field, fuzzed through the API: never a server error.

Hypothesis sends each action bad values (strategies.py), as an anonymous
visitor and as a sysadmin (API token), on the real app and database with
every plugin of the suite enabled. Every answer must be JSON, and a refusal a
4xx whose error carries a message. The suite's actions are those its plugins
register, their parameters those their docstrings document.
"""
from __future__ import annotations

import json
import re
from importlib.metadata import entry_points
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import ckan.plugins as p
from ckan.lib import jobs
from ckan.tests import factories, helpers

from tests.dcat import schema_datasets

from . import strategies as fuzz

# The plugins the suite builds on, then every plugin of the suite.
NEEDS = "scheming_datasets scheming_organizations activity dcat harvest"  # quebec_harvest chains harvest's actions
SUITE = sorted(entry.name for entry in entry_points(group="ckan.plugins")
               if entry.value.startswith("ckanext.quebec."))
PLUGINS = " ".join(["quebec_search", NEEDS] + [name for name in SUITE if name != "quebec_search"])

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
]

FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
ROLES = ("anonymous", "sysadmin")

# Regression examples: inputs that once made a server error, by action.
EXAMPLES: dict[str, list[dict[str, Any]]] = {
    # an id that is no text reached core's package auth (SQL error), anonymous
    "quebec_quality_run": [{"id": True}],
    "quebec_quality_show": [{"id": 1}],
    # CKAN 2.11's boolean_validator fails on a list
    "quebec_dcat_import": [{"dry_run": []}],
}


@pytest.fixture
def activity_tables(migrate_db_for):
    migrate_db_for("activity")


@pytest.fixture
def site():
    """A partner with a complete dataset, a sysadmin's token; the job queue emptied after."""
    sysadmin = factories.SysadminWithToken()
    partners = schema_datasets.partners()
    dataset = helpers.call_action("package_create", {"user": sysadmin["name"]},
                                  **schema_datasets.dataset_dict(partners["mtq"]["id"]))
    yield {
        "token": sysadmin["token"],
        "organization": partners["mtq"],
        "dataset": dataset,
        "resource": dataset["resources"][0],
    }
    jobs.get_queue().empty()


def _ids(site: dict, *kinds: str, values=fuzz.VALUES) -> st.SearchStrategy[Any]:
    """The id or name of the site's objects of ``kinds``, or one of ``values``."""
    known = [site[kind][key] for kind in kinds for key in ("id", "name") if key in site[kind]]
    return st.one_of(st.sampled_from(known), values)


def _core_actions(site: dict) -> dict[str, st.SearchStrategy[dict]]:
    """CKAN's dataset, resource, organization, group and user actions, with the schemas' fields.

    Their own parameters (ids, flags, paging) get malformed values too (a
    list, a number, an object, a NUL character, empty or junk text): CKAN
    2.12.0 and 2.11.6 answered some with a 500 without any plugin, which
    quebec_schema's core guards now refuse (schema/core_guards.py).
    """
    dataset_id = site["dataset"]["id"]
    resource_id = site["resource"]["id"]
    organization_id = site["organization"]["id"]
    only_id = st.fixed_dictionaries({"id": fuzz.VALUES})
    flag = st.one_of(st.booleans(), fuzz.VALUES)
    number = st.one_of(st.integers(min_value=-(2 ** 40), max_value=2 ** 40), fuzz.VALUES)
    group_list = st.fixed_dictionaries({}, optional={
        "all_fields": flag, "include_dataset_count": flag, "include_extras": flag,
        "sort": fuzz.STORABLE_TEXT, "limit": number, "offset": number})
    activity_list = st.fixed_dictionaries(
        {"id": _ids(site, "dataset", "organization")},
        optional={"limit": number, "offset": number, "include_hidden_activity": flag})
    return {
        "package_create": fuzz.dataset(organization_id),
        "package_update": fuzz.dataset(organization_id, site["dataset"]["name"]).map(
            lambda d: dict(d, id=dataset_id)),
        "package_patch": fuzz.changes(fuzz.DATASET_FIELDS).map(lambda d: dict(d, id=dataset_id)),
        "package_show": st.fixed_dictionaries(
            {"id": _ids(site, "dataset", "resource")},
            optional={"use_default_schema": flag, "include_plugin_data": flag}),
        "package_delete": only_id,
        "package_search": st.fixed_dictionaries({}, optional={
            "q": fuzz.VALUES,
            "fq": st.tuples(st.sampled_from(fuzz.DATASET_FIELDS), fuzz.SCALARS).map(
                lambda pair: f"{pair[0]}:{pair[1]}"),
            "facet.field": st.lists(st.sampled_from(fuzz.DATASET_FIELDS), max_size=3),
            "sort": fuzz.VALUES, "rows": fuzz.VALUES}),
        "resource_create": fuzz.resource(dataset_id),
        "resource_update": fuzz.resource(dataset_id).map(lambda d: dict(d, id=resource_id)),
        "resource_patch": fuzz.changes(fuzz.RESOURCE_FIELDS).map(lambda d: dict(d, id=resource_id)),
        "resource_show": st.fixed_dictionaries(
            {"id": _ids(site, "resource", "dataset")}),
        "resource_delete": only_id,
        "organization_create": fuzz.organization(),
        "organization_update": fuzz.organization().map(lambda d: dict(d, id=organization_id)),
        "organization_patch": fuzz.changes(fuzz.ORGANIZATION_FIELDS).map(
            lambda d: dict(d, id=organization_id)),
        "organization_show": st.fixed_dictionaries(
            {"id": _ids(site, "organization")},
            optional={"include_datasets": flag, "include_users": flag, "include_extras": flag}),
        "organization_list": group_list,
        "organization_delete": only_id,
        "group_show": st.fixed_dictionaries({"id": fuzz.VALUES},
                                            optional={"include_datasets": flag}),
        "group_list": group_list,
        "group_delete": only_id,
        "user_show": st.fixed_dictionaries({"id": fuzz.VALUES},
                                           optional={"include_datasets": flag}),
        "member_list": st.fixed_dictionaries({"id": _ids(site, "organization")}),
        "resource_view_list": st.fixed_dictionaries({"id": _ids(site, "resource")}),
        "package_activity_list": activity_list,
        "organization_activity_list": activity_list,
    }


def _suite_actions() -> dict[str, Callable]:
    """The ``quebec_*`` actions the enabled plugins register, by name."""
    return {name: action for plugin in p.PluginImplementations(p.IActions)
            for name, action in plugin.get_actions().items() if name.startswith("quebec_")}


def _parameter_values(site: dict, name: str) -> st.SearchStrategy[Any]:
    """Values for an action parameter: the site's objects where it names one, anything."""
    kinds = {"id": ("dataset", "resource", "organization"), "resource_id": ("resource", "dataset"),
             "organization": ("organization",)}.get(name)
    return _ids(site, *kinds) if kinds else fuzz.VALUES


def _suite_action_params(site: dict, action: Callable) -> st.SearchStrategy[dict]:
    """Any of the parameters the action's docstring documents, with fuzzed values."""
    names = re.findall(r":param (\w+):", action.__doc__ or "")
    if not names:
        # an action without parameters says so, and gets parameters it does not know
        assert "Takes no parameter" in (action.__doc__ or ""), \
            f"{action.__name__} documents no parameter"
        return st.dictionaries(st.sampled_from(["id", "q", "limit", "__junk"]), fuzz.VALUES,
                               max_size=2)
    return st.fixed_dictionaries(
        {}, optional={name: _parameter_values(site, name) for name in names})


def _messages(error: Any) -> list[str]:
    """The messages of an API error body (CKAN's or a validation error's fields)."""
    if isinstance(error, str):
        return [error] if error.strip() else []
    if isinstance(error, dict):
        return [m for key, value in error.items() if key != "__type" for m in _messages(value)]
    if isinstance(error, list):
        return [m for value in error for m in _messages(value)]
    return []


def _as_query(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as a query string carries them: text, a list as the key repeated."""
    return {key: [v if isinstance(v, str) else json.dumps(v) for v in value]
            if isinstance(value, list) else value if isinstance(value, str) else json.dumps(value)
            for key, value in params.items()}


def _call(app, action: str, params: dict, headers: dict, method: str):
    if method == "GET":
        return app.get(f"/api/3/action/{action}", query_string=_as_query(params), headers=headers)
    return app.post(f"/api/3/action/{action}", data=json.dumps(params),
                    headers=dict(headers, **{"Content-Type": "application/json"}))


def _check_answer(response) -> None:
    """A JSON answer; a refusal is a 4xx with a message."""
    shown = response.get_data(as_text=True)[:800]
    assert response.status_code < 500, shown
    assert response.mimetype == "application/json", shown
    body = response.json
    if response.status_code == 200:
        assert body["success"] is True, shown
    else:
        assert body["success"] is False and _messages(body["error"]), shown


def _fuzz(app, action: str, params: st.SearchStrategy[dict], headers: dict,
          methods: list[str]) -> str | None:
    """Hypothesis on one action; the falsifying example and its answer, if any."""
    def answers(params: dict, method: str) -> None:
        _check_answer(_call(app, action, params, headers, method))

    for known in EXAMPLES.get(action, []):
        answers = example(params=known, method="POST")(answers)
    try:
        FUZZ(given(params=params, method=st.sampled_from(methods))(answers))()
    except Exception as error:  # noqa: BLE001  (every failure is reported, action by action)
        notes = "\n".join(getattr(error, "__notes__", []))
        return f"{action}: {type(error).__name__}: {error}\n{notes}"
    return None


def _fuzz_all(app, site: dict, role: str, actions: dict) -> list[str]:
    headers = {"Authorization": site["token"]} if role == "sysadmin" else {}
    failures = []
    for name, (params, side_effect_free) in sorted(actions.items()):
        methods = ["GET", "POST"] if side_effect_free else ["POST"]
        failure = _fuzz(app, name, params, headers, methods)
        if failure:
            failures.append(failure)
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_suite_actions_never_fail(app, site, role):
    actions = _suite_actions()
    assert {"quebec_quality_run", "quebec_viz_rows", "quebec_dcat_import",
            "quebec_partnership_stats", "quebec_vocabulary_list"} <= set(actions)
    failures = _fuzz_all(app, site, role, {
        name: (_suite_action_params(site, action), getattr(action, "side_effect_free", False))
        for name, action in actions.items()})
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_core_actions_with_schema_fields_never_fail(app, site, role):
    failures = _fuzz_all(app, site, role, {
        name: (params, name.endswith(("_show", "_search", "_list")))
        for name, params in _core_actions(site).items()})
    assert not failures, "\n\n".join(failures)
