"""The shared reader: sniffing, DuckDB statistics, XLSX and GeoJSON reading, guarded downloads."""
from __future__ import annotations

import os
import zipfile

import pytest

from ckanext.quebec import tabular
from ckanext.quebec.tabular import TabularError

from .conftest import hang

DATA = os.path.join(os.path.dirname(__file__), "..", "quality", "data")


def data(name: str) -> str:
    return os.path.join(DATA, name)


class TestSniff:
    def test_a_utf8_comma_file(self):
        sniffed = tabular.sniff(data("valid.csv"))
        assert (sniffed.kind, sniffed.encoding, sniffed.bom, sniffed.delimiter) == ("csv", "utf-8", False, ",")
        assert sniffed.header == ["id", "nom", "montant", "date_debut", "actif"]

    def test_bom_is_utf8(self, tmp_path):
        path = tmp_path / "bom.csv"
        path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
        sniffed = tabular.sniff(str(path))
        assert (sniffed.encoding, sniffed.bom, sniffed.header) == ("utf-8", True, ["a", "b"])

    def test_cp1252_and_its_first_bad_line(self):
        sniffed = tabular.sniff(data("cp1252.csv"))
        assert (sniffed.encoding, sniffed.invalid_utf8_line) == ("cp1252", 2)

    def test_a_late_non_utf8_byte_is_found(self, tmp_path):
        path = tmp_path / "late.csv"
        path.write_bytes(b"a,b\n" + b"1,x\n" * 100_000 + b"2,\xe9\n")
        assert tabular.sniff(str(path)).invalid_utf8_line == 100_002

    def test_latin1_bytes_undefined_in_cp1252(self, tmp_path):
        path = tmp_path / "latin.csv"
        path.write_bytes(b"a\n\x81\n")
        assert tabular.sniff(str(path)).encoding == "latin-1"

    @pytest.mark.parametrize("text, delimiter", [
        ("a;b;c\n1;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|"), ("seul\n1\n2\n", ","),
    ])
    def test_delimiters(self, tmp_path, text, delimiter):
        path = tmp_path / "d.csv"
        path.write_text(text, encoding="utf-8")
        assert tabular.sniff(str(path)).delimiter == delimiter

    @pytest.mark.parametrize("head, kind", [
        (b"<!DOCTYPE html><html>", "html"), (b"PK\x03\x04rest", "zip"), (b"%PDF-1.7", "pdf"),
        (b"\x1f\x8b\x08\x00", "compressed"), (b"{\"type\": 1}", "json"), (b"", "empty"),
        (b"a\x00b\x00", "binary"),
    ])
    def test_kinds(self, tmp_path, head, kind):
        path = tmp_path / "f"
        path.write_bytes(head)
        assert tabular.sniff(str(path)).kind == kind

    def test_html_instead_of_csv_is_refused(self):
        with pytest.raises(TabularError) as error:
            tabular.check_format(tabular.sniff(data("page.csv")), "CSV")
        assert error.value.code == "html-instead-of-data"

    def test_a_zip_called_csv_is_refused(self, tmp_path):
        path = tmp_path / "x.csv"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("x.csv", "a,b\n")
        with pytest.raises(TabularError) as error:
            tabular.check_format(tabular.sniff(str(path)), "csv")
        assert (error.value.code, error.value.params) == ("format-mismatch", {"format": "CSV", "kind": "zip"})


class TestDuckDB:
    def test_stats_and_types(self):
        sniffed = tabular.sniff(data("valid.csv"))
        con = tabular.connect("64MB", 1)
        source = tabular.csv_source(con, data("valid.csv"), sniffed)
        stats = tabular.column_stats(con, source, tabular.header_names(sniffed))
        assert {name: s["type"] for name, s in stats.items()} == {
            "id": "integer", "nom": "string", "montant": "number", "date_debut": "date", "actif": "boolean"}
        assert stats["id"] == {"type": "integer", "count": 4, "nulls": 0, "distinct": 4, "min": "1", "max": "4"}
        assert stats["actif"]["nulls"] == 1
        assert stats["nom"]["max"] == "Trois-Rivières, centre"

    def test_head_keeps_file_order(self):
        sniffed = tabular.sniff(data("valid.csv"))
        con = tabular.connect()
        rows = tabular.head(con, tabular.csv_source(con, data("valid.csv"), sniffed), 2)
        assert rows == [("1", "Québec", "12.50", "2024-01-15", "true"),
                        ("2", "Montréal", "-3", "2023-12-31", "false")]

    def test_blank_and_repeated_labels_get_unique_names(self):
        sniffed = tabular.Sniffed(kind="csv", header=["a", "", "a"])
        assert tabular.header_names(sniffed) == ["a", "column2", "a_"]

    def test_a_quote_in_a_path_or_label_stays_a_literal(self, tmp_path):
        path = tmp_path / "it's.csv"
        path.write_text('l\'a,"b""c"\n1,2\n', encoding="utf-8")
        sniffed = tabular.sniff(str(path))
        con = tabular.connect()
        stats = tabular.column_stats(con, tabular.csv_source(con, str(path), sniffed),
                                     tabular.header_names(sniffed))
        assert list(stats) == ["l'a", 'b"c']


class TestXlsx:
    def test_converted_to_csv(self, tmp_path):
        import datetime

        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["id", "date", "valeur"])
        sheet.append([1, datetime.datetime(2024, 1, 15), 2.5])
        sheet.append([2, None, 3.0])
        workbook.save(tmp_path / "w.xlsx")
        out = tmp_path / "w.csv"
        assert tabular.xlsx_to_csv(str(tmp_path / "w.xlsx"), str(out)) == 3
        assert out.read_text(encoding="utf-8") == "id,date,valeur\n1,2024-01-15,2.5\n2,,3\n"

    def test_a_zip_bomb_is_not_opened(self, tmp_path):
        path = tmp_path / "bomb.xlsx"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 << 20))
        with pytest.raises(TabularError) as error:
            tabular.xlsx_to_csv(str(path), str(tmp_path / "out.csv"))
        assert error.value.code == "zip-bomb"

    def test_not_a_workbook(self, tmp_path):
        path = tmp_path / "x.xlsx"
        path.write_bytes(b"not a zip")
        with pytest.raises(TabularError) as error:
            tabular.xlsx_to_csv(str(path), str(tmp_path / "out.csv"))
        assert error.value.code == "not-xlsx"


class TestGeoJSON:
    def test_crs(self):
        assert tabular.read_geojson(data("valid.geojson")).crs == 4326
        assert tabular.read_geojson(data("lambert.geojson")).crs == 32198
        assert tabular.read_geojson(data("mtm.geojson")).crs == 2950

    def test_caps(self):
        with pytest.raises(TabularError) as error:
            tabular.read_geojson(data("defects.geojson"), max_features=3)
        assert error.value.code == "too-many-features"
        with pytest.raises(TabularError) as error:
            tabular.read_geojson(data("defects.geojson"), max_bytes=100)
        assert error.value.code == "too-large"

    def test_json_that_is_not_geojson(self, tmp_path):
        path = tmp_path / "x.geojson"
        path.write_text("[1, 2]")
        with pytest.raises(TabularError) as error:
            tabular.read_geojson(str(path))
        assert error.value.code == "not-geojson"


class TestFetch:
    def test_loopback_is_refused_by_default(self, http_server):
        base, routes = http_server
        routes["/a.csv"] = (200, {}, b"a\n1\n")
        with pytest.raises(TabularError) as error:
            tabular.download(base + "/a.csv", "/dev/null", tabular.Limits())
        assert error.value.code == "url-refused"

    @pytest.mark.parametrize("url", ["http://10.1.2.3/x", "http://192.168.0.1/x", "http://169.254.169.254/latest",
                                     "http://[::1]/x", "ftp://example.org/x", "file:///etc/passwd"])
    def test_private_and_odd_urls_are_refused(self, url):
        with pytest.raises(TabularError) as error:
            tabular.check_address(url)
        assert error.value.code == "url-refused"

    def test_download_when_private_addresses_are_allowed(self, http_server, tmp_path):
        base, routes = http_server
        routes["/a.csv"] = (200, {"Content-Type": "text/csv; charset=utf-8"}, b"a\n1\n")
        response = tabular.download(base + "/a.csv", str(tmp_path / "a"), tabular.Limits(allow_private=True))
        assert (response.status, response.content_type, response.size) == (200, "text/csv", 4)
        assert (tmp_path / "a").read_bytes() == b"a\n1\n"

    def test_redirects_are_capped(self, http_server, tmp_path):
        base, routes = http_server
        routes["/loop"] = (302, {"Location": "/loop"}, b"")
        with pytest.raises(TabularError) as error:
            tabular.download(base + "/loop", str(tmp_path / "a"),
                             tabular.Limits(allow_private=True, max_redirects=3))
        assert (error.value.code, error.value.params["count"]) == ("too-many-redirects", 3)

    def test_a_redirect_is_followed(self, http_server, tmp_path):
        base, routes = http_server
        routes["/old"] = (301, {"Location": "/new"}, b"")
        routes["/new"] = (200, {}, b"x")
        response = tabular.download(base + "/old", str(tmp_path / "a"), tabular.Limits(allow_private=True))
        assert (response.url, response.redirects) == (base + "/new", [base + "/old"])

    def test_too_large_by_header_and_by_stream(self, http_server, tmp_path):
        base, routes = http_server
        routes["/big"] = (200, {}, b"x" * 5000)
        routes["/liar"] = (200, {"Content-Length": "10"}, b"x" * 10)
        limits = tabular.Limits(allow_private=True, max_bytes=1000)
        with pytest.raises(TabularError) as error:
            tabular.download(base + "/big", str(tmp_path / "a"), limits)
        assert error.value.code == "too-large"
        with pytest.raises(TabularError) as error:
            tabular.download(base + "/liar", str(tmp_path / "a"), tabular.Limits(allow_private=True, max_bytes=5))
        assert error.value.code == "too-large"

    def test_a_hanging_server_times_out(self, http_server, tmp_path):
        base, routes = http_server
        routes["/hang"] = (200, {}, hang)
        with pytest.raises(TabularError) as error:
            tabular.download(base + "/hang", str(tmp_path / "a"),
                             tabular.Limits(allow_private=True, read_timeout=0.5))
        assert error.value.code == "url-timeout"

    def test_http_errors(self, http_server, tmp_path):
        base, _routes = http_server
        with pytest.raises(TabularError) as error:
            tabular.download(base + "/missing", str(tmp_path / "a"), tabular.Limits(allow_private=True))
        assert (error.value.code, error.value.params["status"]) == ("http-error", 404)

    def test_open_resource_downloads_and_cleans_up(self, http_server):
        base, routes = http_server
        routes["/a.csv"] = (200, {}, b"a\n1\n")
        with tabular.open_resource({"url": base + "/a.csv"}, tabular.Limits(allow_private=True)) as local:
            assert open(local.path, "rb").read() == b"a\n1\n"
            path = local.path
        assert not os.path.exists(path)

    def test_a_resource_without_data(self):
        with pytest.raises(TabularError) as error:
            with tabular.open_resource({"url": ""}):
                pass
        assert error.value.code == "no-data"

    def test_error_messages_translate_at_display_time(self):
        error = TabularError("too-large", "The file is larger than the %(limit)s MB that can be checked", limit=5)
        assert str(error) == "The file is larger than the 5 MB that can be checked"
        assert error.translated(lambda text: text.replace("The file", "Le fichier")).startswith("Le fichier")
