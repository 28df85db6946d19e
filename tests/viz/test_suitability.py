"""The chart a resource gets by default (issue 22, item 5): never a sum of identifiers or codes."""
from __future__ import annotations

import pytest

from ckanext.quebec.viz import suitability


def _meta(rows: int, **columns: tuple[str, int]) -> dict:
    """A ready extract of ``rows`` rows; each column given as (kind, distinct values)."""
    return {"state": "ready", "rows_kept": rows, "geo": None,
            "columns": [{"name": name, "kind": kind, "stats": {"distinct": distinct, "values": rows}}
                        for name, (kind, distinct) in columns.items()]}


@pytest.mark.parametrize("name", ["id", "arbre_id", "id_arbre", "no_civique", "arrondissement_no",
                                  "code", "code_municipalite", "municipalite_code", "code_postal",
                                  "numero", "OBJECTID", "matricule"])
def test_an_identifier_or_code_column_is_never_summed(name):
    chart = suitability.default_chart(_meta(40, essence=("text", 12), **{name: ("number", 40)}))
    assert chart == {"chart_type": "bar", "x_column": "essence", "y_column": None, "aggregate": "count"}


def test_a_category_gets_a_count_of_rows_not_a_sum_of_some_number():
    chart = suitability.default_chart(_meta(40, secteur=("text", 6), nb_bornes=("number", 5)))
    assert chart == {"chart_type": "bar", "x_column": "secteur", "y_column": None, "aggregate": "count"}


def test_a_measure_per_row_category_is_shown_as_it_is():
    chart = suitability.default_chart(_meta(12, poste=("text", 12), montant=("number", 12)))
    assert chart == {"chart_type": "bar", "x_column": "poste", "y_column": "montant", "aggregate": "sum"}


def test_a_measure_over_time_comes_first():
    chart = suitability.default_chart(_meta(40, date=("date", 30), secteur=("text", 6),
                                            no_compteur=("number", 8), passages=("number", 38)))
    assert chart == {"chart_type": "line", "x_column": "date", "y_column": "passages", "aggregate": "sum"}


def test_only_identifiers_and_dates_give_a_count_over_time():
    chart = suitability.default_chart(_meta(40, date=("date", 30), id=("number", 40)))
    assert chart == {"chart_type": "line", "x_column": "date", "y_column": None, "aggregate": "count"}


def test_a_chart_of_identifiers_alone_is_none():
    assert suitability.default_chart(_meta(40, id=("number", 40), code_postal=("number", 30))) is None


@pytest.mark.usefixtures("with_request_context")
@pytest.mark.parametrize("chart, expected", [
    ({"chart_type": "bar", "x_column": "secteur", "y_column": None, "aggregate": "count"},
     "Chosen automatically from the file's columns: the number of rows by secteur."),
    ({"chart_type": "line", "x_column": "date", "y_column": "passages", "aggregate": "sum"},
     "Chosen automatically from the file's columns: the sum of passages by date."),
    ({"chart_type": "scatter", "x_column": "x", "y_column": "y", "aggregate": "sum"},
     "Chosen automatically from the file's columns: y against x."),
])
def test_the_default_chart_says_what_it_chose(chart, expected):
    assert suitability.default_chart_description(chart) == expected
