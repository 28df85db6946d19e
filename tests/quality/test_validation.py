"""Validation of files with known defects: every error, its row, column and type, exactly."""
from __future__ import annotations

import json
import os

import pytest

from ckanext.quebec.quality import validation

DATA = os.path.join(os.path.dirname(__file__), "data")


def data(name: str) -> str:
    return os.path.join(DATA, name)


def validate(name: str, kind: str = "csv", schema: str | None = None, **options) -> dict:
    declared = json.load(open(data(schema), encoding="utf-8")) if schema else None
    return validation.validate_file(data(name), kind, declared, validation.Options(**options)).as_dict()


def located(report: dict) -> list[tuple]:
    return [(error["row"], error["column"], error["error"]) for error in report["errors"]]


class TestCSV:
    def test_a_clean_file_is_valid_with_inferred_types(self):
        report = validate("valid.csv")
        assert (report["status"], report["error_count"], report["rows"]) == ("valid", 0, 4)
        assert report["schema_source"] == "inferred"
        assert [f["type"] for f in report["fields"]] == ["integer", "string", "number", "date", "boolean"]

    def test_every_defect_against_the_declared_schema(self):
        report = validate("defects.csv", schema="defects.schema.json")
        assert report["status"] == "invalid"
        assert report["schema_source"] == "declared"
        assert located(report) == [
            (3, "montant", "decimal-error"),
            (4, "montant", "missing-value-error"),
            (4, "date_debut", "date-format-error"),
            (5, "id", "primary-key-error"),
            (6, "id", "constraint-error"),
            (7, None, "extra-cell"),
            (8, None, "missing-cell"),
            (9, "montant", "type-error"),
            (9, "date_debut", "type-error"),
        ]
        assert report["counts"] == {
            "constraint-error": 1, "date-format-error": 1, "decimal-error": 1, "extra-cell": 1,
            "missing-cell": 1, "missing-value-error": 1, "primary-key-error": 1, "type-error": 2}
        first = report["errors"][0]
        assert first["msgid"] % first["params"] == "“3,75” uses a comma: numbers use “.” as decimal separator"

    def test_counts_stay_exact_when_the_list_is_cut(self):
        report = validate("defects.csv", schema="defects.schema.json", max_errors=2)
        assert len(report["errors"]) == 2
        assert report["error_count"] == 9

    def test_semicolons(self):
        report = validate("semicolon.csv")
        assert located(report) == [(None, None, "delimiter-error")]
        assert [f["type"] for f in report["fields"]] == ["integer", "string", "number"]

    def test_cp1252(self):
        report = validate("cp1252.csv")
        assert located(report) == [(2, None, "encoding-error")]
        assert report["errors"][0]["params"] == {"encoding": "cp1252"}

    def test_no_header_row(self):
        assert located(validate("noheader.csv")) == [(1, None, "header-error")]

    def test_a_year_header_is_a_header(self, tmp_path):
        path = tmp_path / "years.csv"
        path.write_text("region,2021,2022\nCapitale-Nationale,1.5,2.5\n", encoding="utf-8")
        assert validation.validate_file(str(path), "csv").status == "valid"

    def test_blank_and_repeated_labels(self, tmp_path):
        path = tmp_path / "labels.csv"
        path.write_text("a,,a\n1,2,3\n", encoding="utf-8")
        report = validation.validate_file(str(path), "csv").as_dict()
        assert located(report) == [(1, None, "blank-label"), (1, "a", "duplicate-label")]

    def test_html_page_instead_of_csv(self):
        report = validate("page.csv")
        assert (report["status"], located(report)) == ("invalid", [(None, None, "html-instead-of-data")])

    def test_schema_columns_missing_from_the_file_and_extra_ones(self, tmp_path):
        path = tmp_path / "cols.csv"
        path.write_text("id,autre\n1,x\n", encoding="utf-8")
        schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "nom", "type": "string"}]}
        report = validation.validate_file(str(path), "csv", schema).as_dict()
        assert located(report) == [(1, "nom", "missing-label"), (1, "autre", "extra-label")]

    def test_a_broken_schema_is_reported_and_types_are_inferred(self, tmp_path):
        schema = {"fields": [{"name": "id", "type": "no-such-type"}]}
        report = validation.validate_file(data("valid.csv"), "csv", schema).as_dict()
        assert report["schema_source"] == "inferred"
        assert list(report["counts"]) == ["schema-error"]

    def test_schema_missing_values_and_enum(self, tmp_path):
        path = tmp_path / "enum.csv"
        path.write_text("code,valeur\nA,1\nZ,-\nB,ND\n", encoding="utf-8")
        schema = {"fields": [{"name": "code", "type": "string", "constraints": {"enum": ["A", "B"]}},
                             {"name": "valeur", "type": "integer"}], "missingValues": ["", "-"]}
        report = validation.validate_file(str(path), "csv", schema).as_dict()
        assert located(report) == [(3, "code", "constraint-error"), (4, "valeur", "missing-value-error")]

    def test_unique_constraint(self, tmp_path):
        path = tmp_path / "unique.csv"
        path.write_text("code\nA\nB\nA\nA\n", encoding="utf-8")
        schema = {"fields": [{"name": "code", "type": "string", "constraints": {"unique": True}}]}
        report = validation.validate_file(str(path), "csv", schema).as_dict()
        assert located(report) == [(4, "code", "unique-error"), (5, "code", "unique-error")]
        assert report["counts"] == {"unique-error": 2}

    def test_xlsx(self, tmp_path):
        import openpyxl

        workbook = openpyxl.Workbook()
        workbook.active.append(["id", "montant"])
        workbook.active.append([1, "2,5"])
        workbook.active.append([2, 3.5])
        workbook.save(tmp_path / "w.xlsx")
        schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "montant", "type": "number"}]}
        report = validation.validate_file(str(tmp_path / "w.xlsx"), "xlsx", schema).as_dict()
        assert (report["format"], located(report)) == ("xlsx", [(2, "montant", "decimal-error")])


class TestGeoJSON:
    def test_valid(self):
        report = validate("valid.geojson", "geojson")
        assert (report["status"], report["rows"]) == ("valid", 2)

    def test_defects(self):
        report = validate("defects.geojson", "geojson")
        assert located(report) == [(2, None, "geometry-invalid"), (3, None, "crs-error"),
                                   (4, None, "geometry-error")]
        assert report["errors"][0]["params"]["reason"] == "Self-intersection[0.5 0.5]"

    def test_quebec_lambert_declared(self):
        assert validate("lambert.geojson", "geojson")["status"] == "valid"

    def test_another_crs(self):
        report = validate("mtm.geojson", "geojson")
        assert located(report) == [(None, None, "crs-error")]

    def test_not_json(self, tmp_path):
        path = tmp_path / "x.geojson"
        path.write_text("{nope", encoding="utf-8")
        assert located(validation.validate_file(str(path), "geojson").as_dict()) == [(None, None, "not-json")]


class TestResources:
    @pytest.mark.parametrize("resource, kind", [
        ({"format": "CSV"}, "csv"), ({"format": "xlsx"}, "xlsx"), ({"format": "GeoJSON"}, "geojson"),
        ({"format": "", "url": "http://x/a.csv?b=1"}, "csv"), ({"format": "PDF"}, None),
    ])
    def test_kind(self, resource, kind):
        assert validation.kind_of(resource) == kind

    def test_table_schema_from_the_resource(self):
        schema = {"fields": [{"name": "id", "type": "integer"}]}
        assert validation.table_schema({"schema": json.dumps(schema)}) == schema
        assert validation.table_schema({"data_dictionary": json.dumps(schema)}) == schema
        assert validation.table_schema({"data_dictionary": "id: the identifier"}) is None

    def test_an_unreachable_url_is_a_recorded_error(self):
        report = validation.validate_resource({"format": "CSV", "url": "http://127.0.0.1:9/a.csv"})
        assert report.status == "error"
        assert report.reason["code"] == "url-refused"

    def test_other_formats_are_not_checked(self):
        assert validation.validate_resource({"format": "PDF", "url": "http://x/a.pdf"}).status == "not_checked"


def test_keys_checked_in_hash_partitions_give_the_same_result(monkeypatch):
    expected = validate("defects.csv", schema="defects.schema.json")
    monkeypatch.setattr(validation, "KEYS_PER_PARTITION", 2)
    partitioned = validate("defects.csv", schema="defects.schema.json")
    assert partitioned == expected
    assert partitioned["key_ok"] is False
