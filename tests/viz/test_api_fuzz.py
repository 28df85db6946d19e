"""Every parameter of every quebec_viz action, sent bad values through the API: never a server error."""
from __future__ import annotations


import pytest

from tests.api_calls import send

from ckan.tests import factories

from .conftest import viz_marks

pytestmark = viz_marks()

CSV = ("nom,categorie,date,valeur,latitude,longitude\n"
       + "".join(f"Parc {index},{'abc'[index % 3]},2024-01-{index % 28 + 1:02d},{index * 1.5},"
                 f"{46 + index / 100},{-71 - index / 100}\n" for index in range(40)))

# query-string values (a list is the key repeated)
TEXT_VALUES = ["", " ", "\x00", "a\x00b", "-1", "0", "1.5", "-0.5", "1e308", "NaN", "inf",
               "9" * 40, str(2 ** 63), "nom", "valeur", "date", "inconnue", "_row",
               "' OR 1=1 --", 'nom" DESC; DROP TABLE package; --', "%", "_", "\\", "é" * 5000,
               "<script>", "null", "true", ["nom", "valeur"]]
# JSON bodies can carry what a query string cannot
JSON_VALUES = [None, True, -1, 0, 1.5, 10 ** 30, -(10 ** 30), float("1e308"), [], ["nom"],
               {}, {"a": 1}, [{"a": 1}], "nom\x00"]

# case: (action, the other parameters, given right; the parameters fuzzed one at a time)
CASES = {
    "quebec_viz_preview_show": ("quebec_viz_preview_show", {}, ["resource_id"]),
    "quebec_viz_rows": ("quebec_viz_rows", {}, ["resource_id", "offset", "limit", "sort", "order", "q"]),
    "quebec_viz_chart_data": ("quebec_viz_chart_data", {},
                              ["resource_id", "chart_type", "x_column", "y_column", "aggregate"]),
    "quebec_viz_features": ("quebec_viz_features", {}, ["resource_id"]),
    "quebec_viz_preview_build": ("quebec_viz_preview_build", {}, ["resource_id"]),
    # the views' settings, validated by quebec_viz's schemas
    "chart view": ("resource_view_create", {"view_type": "quebec_chart", "title": "Graphique"},
                   ["chart_type", "x_column", "y_column", "aggregate"]),
    "map view": ("resource_view_create", {"view_type": "quebec_map", "title": "Carte"}, ["wms_layers"]),
}
# actions that change something answer POST only
POST_ONLY = {"quebec_viz_preview_build", "resource_view_create"}


@pytest.fixture
def resource(extracted):
    return extracted(CSV)


def _server_errors(app, case: str, resource_id: str, headers: dict) -> list:
    """The requests of ``case`` with a bad value in one parameter that answered 5xx or not JSON."""
    action, given, fuzzed = CASES[case]
    found = []
    for parameter in fuzzed:
        sent = [(value, False) for value in TEXT_VALUES] + [(value, True) for value in JSON_VALUES]
        for value, as_json in sent:
            params = {**given, "resource_id": resource_id, parameter: value}
            response = send(app, action, params, headers, post=as_json or action in POST_ONLY)
            body = response.json if response.mimetype == "application/json" else None
            if response.status_code >= 500 or body is None or \
                    (response.status_code != 200 and body.get("success") is not False):
                found.append((parameter, value, response.status_code, response.body[:200]))
    return found


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_values_never_make_a_server_error(app, resource, case):
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    found = []
    for headers in ({}, {"Authorization": token}):
        found += _server_errors(app, case, resource["id"], headers)
    assert not found, "\n".join(sorted({repr(entry[:3]) for entry in found}))


def _error(app, action: str, **params) -> tuple[int, dict]:
    response = app.get(f"/api/3/action/{action}", query_string=params, expect_errors=True)
    return response.status_code, response.json["error"]


def test_the_fuzz_findings_are_clear_errors_in_the_users_language(app, resource):
    status, error = _error(app, "quebec_viz_chart_data", resource_id=resource["id"], y_column="nom")
    assert status == 409 and error["y_column"] == ["The values of a chart must be a column of numbers"]
    status, error = _error(app, "quebec_viz_chart_data", resource_id=resource["id"],
                           chart_type="scatter", x_column="nom", y_column="valeur")
    assert status == 409 and error["x_column"] == ["A scatter plot needs two columns of numbers"]
    # a blank offset is taken as not given
    rows = app.get("/api/3/action/quebec_viz_rows", query_string={"resource_id": resource["id"], "offset": ""})
    assert rows.json["result"]["offset"] == 0 and len(rows.json["result"]["rows"]) == 40
    status, error = _error(app, "quebec_viz_rows", resource_id=resource["id"], offset=str(2 ** 63))
    assert status == 409 and error["offset"] == ["Must be a whole number from 0 to 2147483647"]
    status, error = _error(app, "quebec_viz_features", resource_id=resource["id"] + "\x00")
    assert status == 409 and error["resource_id"] == ["Control characters are not allowed"]

    response = app.get("/fr/api/3/action/quebec_viz_chart_data", expect_errors=True,
                       query_string={"resource_id": resource["id"], "y_column": "nom"})
    assert response.status_code == 409
    assert response.json["error"]["y_column"] == ["Les valeurs d'un graphique doivent être une colonne de nombres"]
