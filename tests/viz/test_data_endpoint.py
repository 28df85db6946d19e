"""The views' data endpoint (quebec_viz_rows, quebec_viz_chart_data, quebec_viz_features) over the API."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .conftest import viz_marks

pytestmark = viz_marks()

CSV = ("nom,categorie,date,valeur\n"
       + "".join(f"Parc {index:03d},{'abc'[index % 3]},2024-01-{index % 28 + 1:02d},{index * 1.5}\n"
                 for index in range(250))
       + "Rue 100% « O'Neil »,d,2024-02-01,\n")


@pytest.fixture
def resource(extracted):
    return extracted(CSV)


def _get(app, action: str, status: int = 200, **params) -> dict:
    response = app.get(f"/api/3/action/{action}", query_string=params, status=status)
    return response.json


def test_rows_paged_sorted_and_filtered(app, resource):
    first = _get(app, "quebec_viz_rows", resource_id=resource["id"])["result"]
    assert first["total"] == 251 and first["limit"] == 100 and len(first["rows"]) == 100
    assert first["columns"] == ["nom", "categorie", "date", "valeur"]
    assert first["rows"][0] == [1, "Parc 000", "a", "2024-01-01", 0.0]
    last = _get(app, "quebec_viz_rows", resource_id=resource["id"], offset=200)["result"]
    assert len(last["rows"]) == 51 and last["rows"][-1][1] == "Rue 100% « O'Neil »"

    descending = _get(app, "quebec_viz_rows", resource_id=resource["id"], sort="valeur",
                      order="desc", limit=3)["result"]["rows"]
    assert [row[4] for row in descending] == [373.5, 372.0, 370.5]
    ascending = _get(app, "quebec_viz_rows", resource_id=resource["id"], sort="nom",
                     limit=2)["result"]["rows"]
    assert [row[1] for row in ascending] == ["Parc 000", "Parc 001"]

    # filter text is matched literally, case-insensitive
    percent = _get(app, "quebec_viz_rows", resource_id=resource["id"], q="100%")["result"]
    assert percent["total"] == 1 and percent["rows"][0][1].startswith("Rue 100%")
    assert _get(app, "quebec_viz_rows", resource_id=resource["id"], q="o'neil")["result"]["total"] == 1
    assert _get(app, "quebec_viz_rows", resource_id=resource["id"], q="_")["result"]["total"] == 0
    assert _get(app, "quebec_viz_rows", resource_id=resource["id"], q="parc 00")["result"]["total"] == 10


BAD_PARAMETERS = [
    ({"sort": 'nom" DESC; DROP TABLE package; --'}, "sort"),
    ({"sort": "inconnue"}, "sort"),
    ({"order": "sideways"}, "order"),
    ({"limit": "1001"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": "deux"}, "offset"),
]


def test_bad_parameters_are_validation_errors_and_unknown_ids_not_found(app, resource):
    for params, field in BAD_PARAMETERS:
        body = _get(app, "quebec_viz_rows", status=409, resource_id=resource["id"], **params)
        assert body["success"] is False and field in body["error"], params
    _get(app, "quebec_viz_rows", status=404, resource_id="no-such-resource")
    # the table is still there after the attempt at SQL in the sort column
    assert _get(app, "quebec_viz_rows", resource_id=resource["id"])["result"]["total"] == 251
    dataset = factories.Dataset()
    other = factories.Resource(package_id=dataset["id"], url="https://example.org/a.pdf", format="PDF")
    assert _get(app, "quebec_viz_rows", status=404, resource_id=other["id"])["success"] is False


def test_chart_series_and_features(app, resource):
    result = _get(app, "quebec_viz_chart_data", resource_id=resource["id"])["result"]
    assert result["settings"] == {"chart_type": "line", "x_column": "date", "y_column": "valeur",
                                  "aggregate": "sum"}
    assert result["labels"][0] == "2024-01-01" and len(result["labels"]) == 29
    # 2024-01-01 holds the rows 0, 28, 56, ... (index % 28 == 0)
    assert result["values"][0] == pytest.approx(sum(index * 1.5 for index in range(0, 250, 28)))

    pie = _get(app, "quebec_viz_chart_data", resource_id=resource["id"], chart_type="pie",
               x_column="categorie", aggregate="count")["result"]
    assert dict(zip(pie["labels"], pie["values"])) == {"a": 84, "b": 83, "c": 83, "d": 1}
    body = _get(app, "quebec_viz_chart_data", status=409, resource_id=resource["id"],
                x_column="absente")
    assert "x_column" in body["error"]

    features = _get(app, "quebec_viz_features", resource_id=resource["id"])["result"]
    assert features == {"type": "FeatureCollection", "features": []}
