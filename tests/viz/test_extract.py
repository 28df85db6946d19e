"""Preview extracts of good and bad files: what is kept, what the caps say, what each bad input gets."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import zipfile

import duckdb
import openpyxl
import pytest

from ckanext.quebec.viz import extract

from .conftest import DEMO_FILES

# The builder needs no CKAN: these tests give it its settings (the job reads them from the config).
SETTINGS = extract.Settings(allow_private_urls=True)


@pytest.fixture
def build(http_files, tmp_path_factory):
    """Serve bytes on the local HTTP server and build their extract: returns (meta, folder)."""
    folder, base = http_files

    def run(name: str, content: bytes, fmt: str, **settings) -> tuple[dict, str]:
        (folder / name).write_bytes(content)
        target = str(tmp_path_factory.mktemp("extract"))
        meta = extract.Builder({"id": "r-" + name, "format": fmt, "url": f"{base}/{name}"},
                               target, _settings(**settings)).build()
        with open(os.path.join(target, extract.META_FILE), encoding="utf-8") as stream:
            assert json.load(stream) == json.loads(json.dumps(meta, default=str))
        return meta, target
    return run


def _settings(**changes) -> extract.Settings:
    return dataclasses.replace(SETTINGS, **changes)


def _rows(folder: str) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{folder}/rows.parquet') ORDER BY _row").fetchall()


def _features(folder: str) -> list[dict]:
    with open(os.path.join(folder, extract.FEATURES_FILE), encoding="utf-8") as stream:
        return json.load(stream)["features"]


def _codes(entries: list[dict]) -> list[str]:
    return [entry["code"] for entry in entries]


def test_csv_rows_types_and_statistics(build):
    meta, folder = build("mesures.csv", b"date;station;valeur\n2024-01-02;A;1,5\n2024-01-01;B;3\n"
                         b"2024-01-03;A;\n", "CSV")
    assert meta["state"] == "ready" and meta["error"] is None
    assert [c["kind"] for c in meta["columns"]] == ["date", "text", "text"]
    assert meta["rows_total"] == meta["rows_kept"] == 3 and not meta["rows_capped"]
    date = meta["columns"][0]["stats"]
    assert (date["min"], date["max"], date["values"], date["empty"]) == ("2024-01-01", "2024-01-03", 3, 0)
    assert [row[0] for row in _rows(folder)] == [1, 2, 3]


def test_rows_and_columns_are_capped_and_the_caps_recorded(build):
    header = ",".join(f"c{index}" for index in range(5))
    lines = [header] + [",".join(str(row * 10 + column) for column in range(5)) for row in range(120)]
    meta, folder = build("large.csv", "\n".join(lines).encode(), "CSV", max_rows=50, max_columns=3)
    assert (meta["rows_kept"], meta["rows_total"], meta["rows_capped"]) == (50, 120, True)
    assert (len(meta["columns"]), meta["columns_total"], meta["columns_capped"]) == (3, 5, True)
    rows = _rows(folder)
    assert len(rows) == 50 and rows[0] == (1, 0, 1, 2) and rows[-1] == (50, 490, 491, 492)
    # statistics are over the whole file
    assert meta["columns"][0]["stats"]["max"] == 1190


def test_wrong_encoding_is_read_as_windows_1252(build):
    meta, folder = build("latin.csv", "nom,valeur\nÉcole Saint-Zéphirin,1\nCafé,2\n".encode("cp1252"), "CSV")
    assert meta["state"] == "ready"
    assert _codes(meta["warnings"]) == ["not-utf8"]
    assert [row[1] for row in _rows(folder)] == ["École Saint-Zéphirin", "Café"]


def test_ragged_rows_and_broken_quotes_are_left_out_and_counted(build):
    meta, folder = build("ragged.csv", b'a,b,c\n1,2,3\n4,5\n"6,7,8\n9,10,11\n', "CSV")
    assert meta["state"] == "ready"
    assert "rows-rejected" in _codes(meta["warnings"])
    assert meta["rows_rejected"] >= 1
    rows = _rows(folder)
    assert rows[0][2:] == (2, 3) and rows[-1][2:] == (10, 11)
    assert all(row[2] != 5 for row in rows)  # the short row "4,5" is not there


@pytest.mark.parametrize("content", [
    b"<!DOCTYPE html><html><head><title>Page introuvable</title></head><body></body></html>",
    b"\n  <html lang='fr'><body>Erreur</body></html>",
])
def test_html_instead_of_csv_is_an_error(build, content):
    meta, folder = build("page.csv", content, "CSV")
    assert meta["state"] == "error" and meta["error"]["code"] == "html-instead-of-data"
    assert meta["error"]["params"] == {"format": "CSV"}
    assert os.listdir(folder) == [extract.META_FILE]


def test_binary_data_declared_as_csv_is_an_error(build):
    meta, _folder = build("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "CSV")
    assert meta["state"] == "error" and meta["error"]["code"] == "format-mismatch"


def test_an_empty_file_is_an_error(build):
    meta, _folder = build("vide.csv", b"", "CSV")
    assert meta["error"]["code"] == "empty-file"


def test_a_missing_remote_file_is_an_error(http_files, tmp_path):
    _folder, base = http_files
    meta = extract.Builder({"id": "r-404", "format": "CSV", "url": f"{base}/absent.csv"},
                           str(tmp_path), _settings()).build()
    assert meta["state"] == "error" and meta["error"]["code"] == "http-error"


def test_private_addresses_are_not_fetched(http_files, tmp_path):
    _folder, base = http_files
    meta = extract.Builder({"id": "r-ssrf", "format": "CSV", "url": f"{base}/x.csv"},
                           str(tmp_path), _settings(allow_private_urls=False)).build()
    assert meta["error"]["code"] == "url-refused"


def test_latitude_and_longitude_columns_make_points(build):
    with open(os.path.join(DEMO_FILES, "radars-photo.csv"), "rb") as stream:
        meta, folder = build("radars.csv", stream.read(), "CSV")
    geo = meta["geo"]
    assert (geo["source"], geo["latitude"], geo["longitude"]) == ("columns", "latitude", "longitude")
    features = _features(folder)
    assert len(features) == geo["features_kept"] == 24
    first = features[0]
    assert first["geometry"] == {"type": "Point", "coordinates": [-73.20774, 46.89334]}
    assert first["properties"]["id_appareil"] == "RP-001" and first["properties"]["_row"] == 1


def test_quebec_lambert_columns_are_reprojected(build):
    # Québec City in EPSG:32198 (NAD83 / Québec Lambert)
    meta, folder = build("lambert.csv", b"nom,x,y\nQuebec,-206469.1,316633.6\nMontreal,-396346.5,181200.4\n",
                         "CSV")
    assert meta["geo"]["reprojected_from"] == "EPSG:32198"
    lon, lat = _features(folder)[0]["geometry"]["coordinates"]
    assert lon == pytest.approx(-71.21, abs=0.05) and lat == pytest.approx(46.81, abs=0.05)


def test_text_in_a_coordinate_column_gives_no_map_and_says_why(build):
    meta, folder = build("texte.csv", b"nom,latitude,longitude\nA,nord,ouest\nB,45.5,-73.6\n", "CSV")
    assert meta["state"] == "ready" and meta["geo"] is None
    assert "coordinates-not-numbers" in _codes(meta["warnings"])
    assert not os.path.exists(os.path.join(folder, extract.FEATURES_FILE))


def test_numbers_out_of_range_are_not_taken_for_coordinates(build):
    meta, _folder = build("hors.csv", b"nom,lat,lon\nA,450,-730\nB,451,-731\n", "CSV")
    assert meta["geo"] is None
    assert "coordinates-out-of-range" in _codes(meta["warnings"])


def test_geojson_invalid_geometries_are_repaired_or_dropped(build):
    bowtie = {"type": "Polygon", "coordinates": [[[-73, 45], [-72, 46], [-72, 45], [-73, 46], [-73, 45]]]}
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": bowtie, "properties": {"nom": "noeud"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["a", "b"]}, "properties": {"nom": "texte"}},
        {"type": "Feature", "geometry": None, "properties": {"nom": "sans"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-71.2, 46.8]}, "properties": {"nom": "ok"}},
    ]}
    meta, folder = build("zones.geojson", json.dumps(document).encode(), "GeoJSON")
    assert meta["state"] == "ready"
    assert (meta["geo"]["invalid_repaired"], meta["geo"]["invalid_dropped"]) == (1, 2)
    assert set(_codes(meta["warnings"])) == {"geometry-repaired", "geometry-dropped"}
    features = _features(folder)
    assert [feature["properties"]["nom"] for feature in features] == ["noeud", "ok"]
    assert [feature["properties"]["_row"] for feature in features] == [1, 4]
    assert meta["rows_kept"] == 4  # the table keeps every feature's attributes


def test_geojson_in_quebec_lambert_is_reprojected(build):
    document = {"type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32198"}},
                "features": [{"type": "Feature", "properties": {"nom": "Québec"},
                              "geometry": {"type": "Point", "coordinates": [-206469.1, 316633.6]}}]}
    meta, folder = build("lambert.geojson", json.dumps(document).encode(), "GeoJSON")
    assert meta["geo"]["reprojected_from"] == "EPSG:32198"
    lon, lat = _features(folder)[0]["geometry"]["coordinates"]
    assert (round(lon, 1), round(lat, 1)) == (-71.2, 46.8)


def test_broken_geojson_is_an_error(build):
    meta, _folder = build("casse.geojson", b'{"type": "FeatureCollection", "features": [', "GeoJSON")
    assert meta["state"] == "error" and meta["error"]["code"] == "not-json"


def test_kml_placemarks_with_extended_data(build):
    kml = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE kml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark><name>Parc &secret;</name><ExtendedData><Data name="superficie"><value>12.5</value></Data></ExtendedData>
    <Point><coordinates>-71.22,46.81,0</coordinates></Point></Placemark>
  <Placemark><name>Sentier</name><LineString><coordinates>-71.2,46.8 -71.3,46.9</coordinates></LineString></Placemark>
</Document></kml>"""
    meta, folder = build("parcs.kml", kml, "KML")
    assert meta["state"] == "ready"
    features = _features(folder)
    assert [feature["geometry"]["type"] for feature in features] == ["Point", "LineString"]
    assert "root:" not in json.dumps(features)  # the external entity was not resolved
    assert features[0]["properties"]["superficie"] == "12.5"


def _shapefile_zip(with_prj: bool) -> bytes:
    import shapefile

    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POINT) as writer:
        writer.field("nom", "C")
        writer.point(-206469.1, 316633.6)
        writer.record("Québec")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("lieux.shp", shp.getvalue())
        out.writestr("lieux.shx", shx.getvalue())
        out.writestr("lieux.dbf", dbf.getvalue())
        if with_prj:
            from pyproj import CRS
            out.writestr("lieux.prj", CRS.from_epsg(32198).to_wkt("WKT1_ESRI"))
    return archive.getvalue()


def test_zipped_shapefile_with_its_projection(build):
    meta, folder = build("lieux.zip", _shapefile_zip(with_prj=True), "SHP")
    assert meta["state"] == "ready" and meta["geo"]["reprojected_from"] == "EPSG:32198"
    (feature,) = _features(folder)
    assert feature["properties"]["nom"] == "Québec"
    assert [round(value, 1) for value in feature["geometry"]["coordinates"]] == [-71.2, 46.8]


def test_a_zip_without_shapefile_is_an_error(build):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("lisezmoi.txt", "rien")
    meta, _folder = build("vide.zip", archive.getvalue(), "SHP")
    assert meta["error"]["code"] == "no-shapefile"


def test_xlsx_first_sheet(build):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["région", "population"])
    sheet.append(["Capitale-Nationale", 760000])
    sheet.append(["Estrie", 340000])
    stream = io.BytesIO()
    workbook.save(stream)
    meta, folder = build("regions.xlsx", stream.getvalue(), "XLSX")
    assert meta["state"] == "ready"
    assert [(c["name"], c["kind"]) for c in meta["columns"]] == [("région", "text"), ("population", "number")]
    assert _rows(folder)[1] == (2, "Estrie", 340000.0)


def test_xlsx_and_geojson_statistics_count_every_row_not_only_those_kept(build):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "population", "ouverte"])
    for number in range(1, 8):
        sheet.append([f"{number:02d}", number * 1000, number % 2 == 0])
    sheet.append([None, None, None])  # a blank row is no row
    sheet.append(["99", 99000, None])
    stream = io.BytesIO()
    workbook.save(stream)
    meta, folder = build("codes.xlsx", stream.getvalue(), "XLSX", max_rows=3)
    assert (meta["rows_kept"], meta["rows_total"], meta["rows_capped"]) == (3, 8, True)
    assert meta["stats_scope"] == "file"
    code, population, ouverte = meta["columns"]
    # text cells stay text ("01", not 1), types found over every row
    assert (code["kind"], population["kind"], ouverte["kind"]) == ("text", "number", "boolean")
    assert _rows(folder)[0] == (1, "01", 1000.0, False)
    # (1 + ... + 7) × 1000 + 99000 over 8 rows; "distinct" is DuckDB's estimate
    assert dict(population["stats"], distinct=None) == {
        "values": 8, "empty": 0, "distinct": None, "min": 1000.0, "max": 99000.0, "mean": 15875.0}
    assert ouverte["stats"]["true"] == 3 and ouverte["stats"]["false"] == 4
    assert code["stats"]["max_length"] == 2

    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-71.2 + n / 100, 46.8]},
         "properties": {"nom": f"Halte {n}", "places": n}} for n in range(1, 6)]}
    meta, _folder = build("haltes.geojson", json.dumps(collection).encode(), "GeoJSON", max_rows=2)
    assert (meta["rows_kept"], meta["rows_total"], meta["geo"]["features_kept"]) == (2, 5, 5)
    places = meta["columns"][1]["stats"]
    assert (places["values"], places["min"], places["max"], places["mean"]) == (5, 1.0, 5.0, 3.0)


def test_a_damaged_xlsx_is_an_error(build):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("[Content_Types].xml", "<pas du tout/>")
    meta, _folder = build("abime.xlsx", archive.getvalue(), "XLSX")
    assert meta["state"] == "error" and meta["error"]["code"] == "unreadable"


def test_json_records(build):
    meta, folder = build("records.json", json.dumps([{"nom": "A", "n": 1}, {"nom": "B", "n": 2}]).encode(),
                         "JSON")
    assert meta["state"] == "ready" and [c["name"] for c in meta["columns"]] == ["nom", "n"]
    assert len(_rows(folder)) == 2


def test_wfs_getfeature_url_from_a_capabilities_url():
    url = extract.wfs_feature_url(
        "https://example.org/wfs?service=WFS&request=GetCapabilities&typeName=ns:stations", 100)
    assert url == ("https://example.org/wfs?service=WFS&version=2.0.0&request=GetFeature"
                   "&outputFormat=application%2Fjson&count=100&typeNames=ns%3Astations")


def test_a_wfs_is_asked_for_geojson_features(http_files, tmp_path):
    folder, base = http_files
    # the local server ignores the query string: the GetFeature request gets this file
    (folder / "wfs").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"station": "030101"},
         "geometry": {"type": "Point", "coordinates": [-72.5, 46.3]}}]}), encoding="utf-8")
    meta = extract.Builder({"id": "r-wfs", "format": "WFS",
                            "url": f"{base}/wfs?service=WFS&request=GetCapabilities"},
                           str(tmp_path), _settings()).build()
    assert meta["state"] == "ready" and meta["geo"]["features_kept"] == 1
    assert _features(str(tmp_path))[0]["properties"]["station"] == "030101"


def test_a_wms_needs_no_extract(tmp_path):
    meta = extract.Builder({"id": "r-wms", "format": "WMS", "url": "https://example.org/wms"},
                           str(tmp_path), _settings()).build()
    assert (meta["state"], meta["kind"]) == ("ready", "service")
    assert os.listdir(tmp_path) == [extract.META_FILE]


def test_a_datastore_that_cannot_be_reached_is_said_so(tmp_path):
    # the table's database on a closed port: the build says so, it does not fall over
    datastore = {"url": "postgresql://nobody:nothing@127.0.0.1:9/nothing", "table": "r-closed",
                 "fields": [{"id": "station", "type": "text"}]}
    meta = extract.Builder({"id": "r-closed", "format": "CSV", "datastore_active": True},
                           str(tmp_path), _settings(fetch_timeout=2), datastore=datastore).build()
    assert meta["state"] == "error" and meta["source"] == "datastore"
    assert meta["error"]["code"] == "datastore-unreachable"



def _with_prj(prj: bytes) -> bytes:
    """The test Shapefile, zipped with ``prj`` as its .prj."""
    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_shapefile_zip(with_prj=False))) as source, \
            zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            out.writestr(name, source.read(name))
        out.writestr("lieux.prj", prj)
    return archive.getvalue()


def test_a_zipped_shapefile_that_is_a_zip_bomb_is_not_opened(build):
    # a real Shapefile whose .prj inflates to 64 MB: 1000 times its size in the archive
    bomb = _with_prj(b" " * (64 << 20))
    assert len(bomb) < 200_000
    meta, _folder = build("bombe.zip", bomb, "SHP")
    assert meta["state"] == "error" and meta["error"]["code"] == "zip-bomb"
    assert meta["error"]["params"] == {"size": 64}


def test_a_long_prj_is_no_projection(build):
    meta, _folder = build("long.zip", _with_prj(b"PROJCS" * 100_000), "SHP")
    # read as no .prj: the Lambert coordinates are taken as EPSG:32198
    assert meta["state"] == "ready" and meta["geo"]["reprojected_from"] == "EPSG:32198"
