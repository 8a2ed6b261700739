"""Boundary and address imports against the real PostGIS: real Oostende files, Shapefile / GeoPackage /
Lambert 72 copies made with ogr2ogr, repairs, overlaps and gaps, versions, and the CSV layouts."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from tests import factories as f
from wijken.demo_steps import read_multipolygon
from wijken.importers import ImportFailed, import_adressen, import_wijken
from wijken.models import Address, Wijk

DATA = Path(settings.BASE_DIR) / "data"
OOSTENDE_WIJKEN = DATA / "oostende_wijken.geojson"
OOSTENDE_CSV = DATA / "oostende_adressen_crab2014.csv"
# A real address in Centrum (first rows of the CSV): 3de en 23ste Linieregimentsplein 1.
CENTRUM_POINT = Point(2.92354, 51.224075, srid=4326)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone():
    with scopes_disabled():
        return f.ZoneFactory(name="PZ Test", slug="pz-test", boundary=read_multipolygon("pz_oostende.geojson"))


def wijken_of(zone) -> list[Wijk]:
    with scope(zone=zone.pk):
        return list(Wijk.objects.order_by("code", "valid_from"))


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True)


def write_geojson(path: Path, features: list[tuple[dict, dict | None]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
            }
        )
    )
    return path


def box(x1: float, y1: float, x2: float, y2: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}


# --- Boundaries ----------------------------------------------------------------------------------------


def test_real_oostende_wijken_import_is_idempotent(zone):
    first = import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="naam", code_field="code")
    assert (first.created, first.updated, first.refused) == (8, 0, 0)
    second = import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="naam", code_field="code")
    assert (second.created, second.updated) == (0, 8)
    wijken = wijken_of(zone)
    assert len(wijken) == 8
    assert {w.code for w in wijken} == {
        "35013CE", "35013KM", "35013MN", "35013RA", "35013ST", "35013VU", "35013WV", "35013ZA"
    }  # fmt: skip
    centrum = next(w for w in wijken if w.code == "35013CE")
    assert centrum.name == "Centrum"
    assert centrum.boundary.geom_type == "MultiPolygon" and centrum.boundary.srid == 4326
    assert centrum.boundary.covers(CENTRUM_POINT)
    assert "8 created" in first.summary() and "8 updated" in second.summary()


def test_shapefile_in_a_zip_and_geopackage(zone, tmp_path):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    ogr2ogr("-f", "ESRI Shapefile", str(shp_dir / "wijken.shp"), str(OOSTENDE_WIJKEN))
    archive = tmp_path / "wijken.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, f"export/{part.name}")  # in a folder, as people zip them
    report = import_wijken(zone=zone, path=archive, name_field="naam", code_field="code")
    assert report.created == 8

    gpkg = tmp_path / "wijken.gpkg"
    ogr2ogr("-f", "GPKG", str(gpkg), str(OOSTENDE_WIJKEN), "-nln", "wijken_2024")
    report = import_wijken(zone=zone, path=gpkg, name_field="naam", code_field="code", layer="wijken_2024")
    assert (report.created, report.updated) == (0, 8)
    with pytest.raises(ImportFailed, match="no layer 'other'. Its layers are: wijken_2024"):
        import_wijken(zone=zone, path=gpkg, name_field="naam", code_field="code", layer="other")


def test_lambert72_shapefile_is_reprojected_into_oostende(zone, tmp_path):
    target = tmp_path / "lambert.shp"
    ogr2ogr("-f", "ESRI Shapefile", "-t_srs", "EPSG:31370", str(target), str(OOSTENDE_WIJKEN))
    report = import_wijken(zone=zone, path=target, name_field="naam", code_field="code")
    assert report.created == 8
    assert any("EPSG:31370" in m for m in report.messages)
    centrum = next(w for w in wijken_of(zone) if w.code == "35013CE")
    assert centrum.boundary.covers(CENTRUM_POINT)
    original = read_multipolygon("oostende_wijken.geojson")
    # Round trip through Lambert 72 moves vertices by far less than a metre: the areas agree to 0.1 %.
    assert sum(w.boundary.area for w in wijken_of(zone)) == pytest.approx(original.area, rel=1e-3)


def test_bow_tie_is_repaired_and_reported(zone, tmp_path):
    ring = [[2.90, 51.20], [2.92, 51.22], [2.92, 51.20], [2.90, 51.22], [2.90, 51.20]]
    bow_tie = {"type": "Polygon", "coordinates": [ring]}
    path = write_geojson(tmp_path / "bow.geojson", [({"code": "BT", "naam": "Strik"}, bow_tie)])
    report = import_wijken(zone=zone, path=path, name_field="naam", code_field="code")
    assert (report.created, report.repaired) == (1, 1)
    message = next(m for m in report.messages if m.startswith("Repaired"))
    assert "feature 1 (code BT)" in message and "Self-intersection" in message and "MakeValid" in message
    (wijk,) = wijken_of(zone)
    assert wijk.boundary.valid and len(wijk.boundary) == 2  # both triangles kept, not one
    assert wijk.boundary.area == pytest.approx(0.02 * 0.02 / 2, rel=1e-6)


def test_overlaps_and_gaps_are_reported(zone, tmp_path):
    zone.boundary = None  # no zone outline: gaps are holes inside the outline of the wijken
    zone.save()
    # A ring of four wijken around an uncovered square, and one wijk that overlaps its neighbour.
    features = [
        ({"code": "N", "naam": "Noord"}, box(2.90, 51.22, 2.94, 51.23)),
        ({"code": "Z", "naam": "Zuid"}, box(2.90, 51.20, 2.94, 51.21)),
        ({"code": "W", "naam": "West"}, box(2.90, 51.21, 2.91, 51.22)),
        ({"code": "O", "naam": "Oost"}, box(2.925, 51.21, 2.94, 51.22)),  # overlaps nothing, leaves a hole
        ({"code": "X", "naam": "Overlap"}, box(2.935, 51.215, 2.95, 51.225)),  # overlaps N and O
    ]
    path = write_geojson(tmp_path / "ring.geojson", features)
    report = import_wijken(zone=zone, path=path, name_field="naam", code_field="code")
    pairs = {(a, b) for a, b, _m2 in report.overlaps}
    assert pairs == {("N", "X"), ("O", "X")}
    # O and X share 0.005° x 0.005° (about 350 m x 555 m): roughly 19 ha.
    o_x = next(m2 for a, b, m2 in report.overlaps if (a, b) == ("O", "X"))
    assert 150_000 < o_x < 230_000
    assert len(report.gaps) == 1
    m2, lon, lat = report.gaps[0]
    assert 2.91 < lon < 2.925 and 51.21 < lat < 51.22  # the hole in the middle, 0.015° x 0.01°: ~116 ha
    assert 900_000 < m2 < 1_300_000
    assert "Gap:" in report.summary() and "Overlap: N and X" in report.summary()


def test_gaps_against_the_zone_boundary_and_clean_set(zone, tmp_path):
    zone.boundary = f.square(2.90, 51.20, 0.02)
    zone.save()
    halves = [
        ({"code": "A", "naam": "A"}, box(2.90, 51.20, 2.91, 51.22)),
        ({"code": "B", "naam": "B"}, box(2.91, 51.20, 2.92, 51.22)),
    ]
    report = import_wijken(
        zone=zone, path=write_geojson(tmp_path / "ok.geojson", halves), name_field="naam", code_field="code"
    )
    assert not report.overlaps and not report.gaps
    assert "No overlaps or gaps" in report.summary()
    only_a = write_geojson(tmp_path / "a.geojson", halves[:1])
    report = import_wijken(
        zone=zone, path=only_a, name_field="naam", code_field="code", valid_from=datetime.date(2030, 1, 1)
    )
    assert len(report.gaps) == 1 and 2.91 < report.gaps[0][1] < 2.92  # B's half of the zone is uncovered


def test_new_version_closes_the_old_one(zone, tmp_path):
    v1 = datetime.date(2023, 1, 1)
    v2 = datetime.date(2025, 1, 1)
    import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="naam", code_field="code", valid_from=v1)
    report = import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="naam", code_field="code", valid_from=v2)
    assert (report.created, report.closed) == (8, 8)
    with scope(zone=zone.pk):
        assert set(Wijk.objects.filter(valid_from=v1).values_list("valid_until", flat=True)) == {v2}
        assert Wijk.objects.current(datetime.date(2024, 6, 1)).filter(valid_from=v1).count() == 8
        assert Wijk.objects.current(datetime.date(2025, 6, 1)).filter(valid_from=v2).count() == 8
        assert Wijk.objects.current(datetime.date(2025, 6, 1)).count() == 8
    # Without a version, an upload updates today's version in place instead of adding a second set.
    unversioned = import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="naam", code_field="code")
    assert (unversioned.created, unversioned.updated) == (0, 8)
    with scope(zone=zone.pk):
        assert Wijk.objects.current().count() == 8
    # Running the same version again changes nothing in the history.
    again = import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="naam", code_field="code", valid_from=v2)
    assert (again.created, again.updated, again.closed) == (0, 8, 0)


def test_parent_field_builds_police_districts(zone, tmp_path):
    features = [
        ({"code": "A", "naam": "A", "pw": "PW1", "inw": 1000}, box(2.90, 51.20, 2.91, 51.21)),
        ({"code": "B", "naam": "B", "pw": "PW1", "inw": "2500"}, box(2.91, 51.20, 2.92, 51.21)),
        ({"code": "C", "naam": "C", "pw": "PW2", "inw": None}, box(2.92, 51.20, 2.93, 51.21)),
    ]
    path = write_geojson(tmp_path / "pw.geojson", features)
    import_wijken(
        zone=zone, path=path, name_field="naam", code_field="code", parent_field="pw", inhabitants_field="inw"
    )
    with scope(zone=zone.pk):
        pw1 = Wijk.objects.get(code="PW1")
        assert pw1.kind == Wijk.Kind.POLITIEWIJK
        assert sorted(pw1.children.values_list("code", flat=True)) == ["A", "B"]
        assert pw1.inhabitants == 3500
        assert pw1.boundary.area == pytest.approx(0.02 * 0.01, rel=1e-6)
        assert Wijk.objects.get(code="C").inhabitants is None


def test_bad_files_give_clear_messages(zone, tmp_path):
    with pytest.raises(ImportFailed, match="File not found"):
        import_wijken(zone=zone, path=tmp_path / "nope.geojson", name_field="naam", code_field="code")
    text = tmp_path / "notes.geojson"
    text.write_text("this is not a map")
    with pytest.raises(ImportFailed, match="notes.geojson is not a geographic file"):
        import_wijken(zone=zone, path=text, name_field="naam", code_field="code")
    with pytest.raises(ImportFailed) as missing_field:
        import_wijken(zone=zone, path=OOSTENDE_WIJKEN, name_field="wijknaam", code_field="code")
    assert "no field 'wijknaam'" in str(missing_field.value)
    assert "code, naam, gemeente, nis_gemeente" in str(missing_field.value)

    features = [
        ({"code": "A", "naam": "Goed"}, box(2.90, 51.20, 2.91, 51.21)),
        ({"code": "B", "naam": "Zonder vorm"}, None),
        ({"code": "A", "naam": "Dubbel"}, box(2.91, 51.20, 2.92, 51.21)),
        ({"code": "", "naam": "Geen code"}, box(2.92, 51.20, 2.93, 51.21)),
        ({"code": "P", "naam": "Punt"}, {"type": "Point", "coordinates": [2.9, 51.2]}),
    ]
    path = write_geojson(tmp_path / "mixed.geojson", features)
    with pytest.raises(ImportFailed) as bad:
        import_wijken(zone=zone, path=path, name_field="naam", code_field="code")
    messages = bad.value.messages
    assert "Nothing was imported" in messages[0]
    assert "feature 2 (code B) has no geometry." in messages
    assert "feature 3 (code A): the code appears again (first at feature 1 (code A))." in messages
    assert "feature 4: the code field 'code' is empty." in messages
    assert "feature 5 (code P) is a Point, not a polygon." in messages
    assert wijken_of(zone) == []  # all or nothing


def test_command_reports_and_fails_cleanly(zone, tmp_path, capsys):
    call_command("import_wijken", str(OOSTENDE_WIJKEN), "--zone", zone.slug, "--valid-from", "2024-01-01")
    assert "8 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no field 'name'"):
        call_command("import_wijken", str(OOSTENDE_WIJKEN), "--zone", zone.slug, "--name-field", "name")
    with pytest.raises(CommandError, match="No zone with slug 'elders'"):
        call_command("import_wijken", str(OOSTENDE_WIJKEN), "--zone", "elders")


def test_command_exit_code_without_traceback(tmp_path):
    """From the shell: exit code 1 and the message in the default language (Dutch), no traceback (the file
    check needs no database)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "import_adressen", str(tmp_path / "missing.csv")],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Bestand niet gevonden" in result.stderr and "Traceback" not in result.stderr


# --- Addresses -----------------------------------------------------------------------------------------


def test_real_oostende_addresses(tmp_path):
    report = import_adressen(path=OOSTENDE_CSV, source="CRAB 2014")
    with open(OOSTENDE_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    distinct = {(r["postcode"], r["street"], r["housenumber"]) for r in rows}
    assert len(rows) == 21_716 and len(distinct) == 21_713  # three CRAB numbers have two points
    assert (report.created, report.updated, report.refused) == (len(distinct), 0, 0)
    assert any("3 rows gave an address that a later row gives again" in m for m in report.messages)
    assert Address.objects.filter(source="CRAB 2014", country="BE").count() == 21_713
    aime = Address.objects.get(street="Aimé Liebaertstraat", house_number="1")
    assert aime.search_text == "aime liebaertstraat 1 8400 oostende"
    assert aime.point.x == pytest.approx(2.941324) and aime.point.y == pytest.approx(51.229903)
    assert not Address.objects.filter(search_text__regex=r"[A-Zéèëïüöç]").exists()
    # The last of the repeated rows counts.
    epsom = [r for r in rows if r["street"] == "Epsomlaan" and r["housenumber"] == "12"][-1]
    assert Address.objects.get(street="Epsomlaan", house_number="12").point.x == pytest.approx(float(epsom["lon"]))

    second = import_adressen(path=OOSTENDE_CSV, source="CRAB 2014")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 21_713)

    changed = tmp_path / "changed.csv"
    lines = OOSTENDE_CSV.read_text().splitlines()
    lines[1] = lines[1].replace("2.894015", "2.894100")  # 17 Oktoberstraat 3 moves a few metres
    changed.write_text("\n".join(lines) + "\n")
    third = import_adressen(path=changed, source="CRAB 2014")
    assert (third.created, third.updated, third.unchanged) == (0, 1, 21_712)
    assert Address.objects.get(street="17 Oktoberstraat", house_number="3").point.x == pytest.approx(2.8941)


def test_dutch_layout_with_rd_coordinates_and_refused_rows(tmp_path):
    path = tmp_path / "bag.csv"
    path.write_text(
        "\ufeffPostcode;Huisnummer;Huisletter;Toevoeging;Openbareruimte;Woonplaats;X;Y\n"
        "7411 jc;12;;;Brink;Deventer;207786,88;474410,76\n"  # line 2: comma decimals, lower-case postcode
        "7411JC;12;A;2;Brink;Deventer;207790;474415\n"
        "7411JC;;;;Brink;Deventer;207790;474415\n"  # line 4: no number
        "741;3;;;Brink;Deventer;207790;474415\n"  # line 5: bad postcode
        "7411JC;5;;;Brink;Deventer;9999999;474415\n"  # line 6: outside RD
        "7411JC;7;;;Brink;Deventer;abc;474415\n"  # line 7: not a number
        "7411JC;9;;;Brink\n",  # line 8: too few columns
        encoding="utf-8",
    )
    report = import_adressen(path=path, source="BAG test")
    assert (report.created, report.refused) == (2, 5)
    assert [line.split(":")[0] for line in report.refused_lines] == [f"line {n}" for n in (4, 5, 6, 7, 8)]
    assert "postcode '741' is not valid" in report.refused_lines[1]
    assert "Layout: NL" in report.summary()
    brink = Address.objects.get(postcode="7411JC", house_number="12", box="")
    assert brink.country == "NL" and brink.municipality == "Deventer"
    assert brink.point.x == pytest.approx(6.1603, abs=1e-5) and brink.point.y == pytest.approx(52.2552, abs=1e-5)
    assert Address.objects.get(postcode="7411JC", house_number="12", box="A-2").search_text == (
        "brink 12 a-2 7411jc deventer"
    )


def test_dutch_layout_with_lon_lat_and_swapped_coordinates(tmp_path):
    path = tmp_path / "nl.csv"
    path.write_text(
        "postcode,huisnummer,toevoeging,straat,woonplaats,lon,lat\n"
        "7411JC,1,,Brink,Deventer,6.1603,52.2552\n"
        "7411JC,3,,Brink,Deventer,52.2552,6.1603\n"  # swapped
        "7411JC,4,,Brink,Deventer,-0.1,51.5\n"  # London
    )
    report = import_adressen(path=path)
    assert (report.created, report.refused) == (1, 2)
    assert (
        "look swapped" in report.refused_lines[0] and "outside Belgium and the Netherlands" in report.refused_lines[1]
    )


def test_bad_csv_files(tmp_path):
    unknown = tmp_path / "other.csv"
    unknown.write_text("naam,adres\nJan,Kerkstraat 1\n")
    with pytest.raises(ImportFailed, match="not one of the known layouts"):
        import_adressen(path=unknown)
    partial = tmp_path / "partial.csv"
    partial.write_text("street,housenumber,postcode,municipality,lon\nKerkstraat,1,8400,Oostende,2.9\n")
    with pytest.raises(ImportFailed, match="needs a column for lat"):
        import_adressen(path=partial)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFailed, match="is empty"):
        import_adressen(path=empty)
    latin = tmp_path / "latin.csv"
    header = "street,housenumber,postcode,municipality,lon,lat\n"
    latin.write_bytes((header + "Aimé Liebaertstraat,1,8400,Oostende,2.94,51.23\n").encode("cp1252"))
    report = import_adressen(path=latin)
    assert report.created == 1 and any("Windows-1252" in m for m in report.messages)
    assert Address.objects.get(house_number="1", postcode="8400").street == "Aimé Liebaertstraat"


def test_many_refused_rows_are_counted_and_the_first_listed(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("street,housenumber,postcode,municipality,lon,lat\n" + "Kerkstraat,,8400,Oostende,2.9,51.2\n" * 50)
    report = import_adressen(path=path)
    assert report.refused == 50 and len(report.refused_lines) == 20
    assert "… and 30 more." in report.summary()


def test_ogr2ogr_is_available():
    assert shutil.which("ogr2ogr"), "gdal-bin provides ogr2ogr for the Shapefile/GeoPackage tests"
