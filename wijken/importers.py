"""Imports of wijk boundaries (GDAL: GeoJSON, Shapefile, GeoPackage) and of addresses (CSV, COPY-speed).

Plain functions shared by the management commands (`import_wijken`, `import_adressen`) and the admin. Both
return an `ImportReport`; a file that cannot be imported raises `ImportFailed` with a message that names the
file, field, feature or line, never a traceback.

Boundaries (`import_wijken`)
    One layer of polygons, reprojected to EPSG:4326 with GDAL. Invalid geometry is repaired with GEOS
    MakeValid (buffer(0) as the fallback) and every repair is reported. A boundary set is all or nothing: if
    any feature cannot be used (no geometry, no code, a duplicate code, not a polygon) nothing is written and
    every problem is listed. Idempotent on (zone, code, valid_from): a second run updates in place. With an
    explicit valid_from the set is a new version: current versions that started earlier are closed
    (valid_until = the new valid_from), so that history stays comparable. Overlaps, gaps and wijken outside
    the zone are measured in PostGIS afterwards and reported (they are warnings: real boundary files have them).

Addresses (`import_adressen`)
    CSV, comma or semicolon separated, UTF-8 (a BOM is fine; cp1252 is accepted with a note). The header row
    decides the layout (names are case-insensitive):

    - Belgian (CRAB / Adressenregister export): street, housenumber, postcode, municipality, lon, lat;
      optional box (or busnummer / bus). Extra columns (e.g. wijk_code) are ignored. Country BE.
    - Dutch (BAG export): postcode, huisnummer, a street column (straat / openbareruimte / openbare_ruimte /
      straatnaam), a place column (woonplaats / plaats), and either lon + lat (WGS84) or x + y (RD New,
      EPSG:28992, transformed in PostGIS); optional huisletter and toevoeging (or huisnummertoevoeging).
      Country NL. The postcode is stored as 1234AB (no space, upper case); box is huisletter and toevoeging
      joined ("A", "2", "A-2").

    Rows are validated in one pass, streamed with COPY into a temporary table and merged with one
    INSERT ... SELECT ... ON CONFLICT (country, postcode, street, house_number, box) DO UPDATE, which also
    fills search_text with lower(unaccent(...)) in SQL. Rows that would not change are not rewritten, so a
    second run is cheap and reports them as unchanged.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from .lookup.caching import invalidate as lookup_invalidate
from .models import Address, Wijk, Zone

# How many individual problems a report lists before it only counts them.
MAX_LISTED = 20

# Overlaps smaller than this are digitising noise of simplified boundaries, not a real double assignment.
OVERLAP_TOLERANCE_M2 = 500.0
# A gap is reported when it is larger than this and wider (2 x area / perimeter) than GAP_MIN_WIDTH_M: the
# zone boundary and the wijken often come from different sources, which leaves long, thin slivers that are
# no one's neighbourhood.
GAP_TOLERANCE_M2 = 5_000.0
GAP_MIN_WIDTH_M = 25.0

# Belgium and the Netherlands with a margin (lon/lat); addresses outside are refused.
LON_RANGE = (2.3, 7.3)
LAT_RANGE = (49.4, 53.7)
# The valid area of RD New (EPSG:28992), metres.
RD_X_RANGE = (-7_000.0, 300_000.0)
RD_Y_RANGE = (289_000.0, 629_000.0)

GEO_SUFFIXES = (".geojson", ".json", ".shp", ".gpkg")


class ImportFailed(Exception):
    """The file cannot be imported. `messages` lists every problem found, each naming where it is."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(self.text)

    @property
    def text(self) -> str:
        lines = self.messages[:MAX_LISTED]
        more = len(self.messages) - len(lines)
        if more > 0:
            lines.append(ngettext("… and %(n)d more problem.", "… and %(n)d more problems.", more) % {"n": more})
        return "\n".join(lines)


@dataclass
class ImportReport:
    """What an import did. `messages` are notes and warnings for the person who ran it, in order."""

    what: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: int = 0
    refused: int = 0
    closed: int = 0
    messages: list[str] = field(default_factory=list)
    refused_lines: list[str] = field(default_factory=list)  # the first MAX_LISTED refused rows, with reasons
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)  # (code, code, m²)
    gaps: list[tuple[float, float, float]] = field(default_factory=list)  # (m², lon, lat of a point inside)
    seconds: float = 0.0

    def refuse(self, where: str, reason: str) -> None:
        self.refused += 1
        if len(self.refused_lines) < MAX_LISTED:
            self.refused_lines.append(f"{where}: {reason}")

    @property
    def warnings(self) -> int:
        return len(self.overlaps) + len(self.gaps)

    def summary(self) -> str:
        counts = _("%(what)s: %(created)d created, %(updated)d updated") % {
            "what": self.what or _("Import"),
            "created": self.created,
            "updated": self.updated,
        }
        if self.unchanged:
            counts += _(", %(n)d unchanged") % {"n": self.unchanged}
        if self.repaired:
            counts += _(", %(n)d repaired") % {"n": self.repaired}
        if self.closed:
            counts += _(", %(n)d old versions closed") % {"n": self.closed}
        counts += _(", %(n)d refused") % {"n": self.refused}
        if self.seconds:
            counts += _(" (%(s).1f s)") % {"s": self.seconds}
        lines = [counts + "."]
        lines.extend(self.messages)
        if self.refused_lines:
            lines.append(_("Refused:"))
            lines.extend(f"  {line}" for line in self.refused_lines)
            if self.refused > len(self.refused_lines):
                lines.append("  " + _("… and %(n)d more.") % {"n": self.refused - len(self.refused_lines)})
        for a, b, m2 in self.overlaps:
            lines.append(_("Overlap: %(a)s and %(b)s share %(m2)s m².") % {"a": a, "b": b, "m2": f"{m2:,.0f}"})
        for m2, lon, lat in self.gaps:
            lines.append(
                _("Gap: %(m2)s m² belongs to no wijk, around %(lat).5f, %(lon).5f.")
                % {"m2": f"{m2:,.0f}", "lat": lat, "lon": lon}
            )
        return "\n".join(lines)


# --- Boundaries ----------------------------------------------------------------------------------------


@dataclass
class _Feature:
    number: int  # 1-based position in the layer, what a person counts in a GIS
    label: str  # "feature 3 (code 35013CE)" for messages
    code: str
    name: str
    geometry: MultiPolygon
    parent_code: str | None = None
    inhabitants: int | None = None


def import_wijken(
    *,
    zone: Zone,
    path: str | Path,
    name_field: str,
    code_field: str,
    parent_field: str | None = None,
    inhabitants_field: str | None = None,
    valid_from: datetime.date | None = None,
    layer: int | str | None = None,
) -> ImportReport:
    """Import one layer of wijk polygons into a zone. See the module docstring for the rules."""
    started = _now()
    report = ImportReport(what=_("Wijken of %(zone)s") % {"zone": zone.name})
    source = _open_datasource(Path(path))
    ogr_layer = _pick_layer(source, layer, Path(path).name)
    wanted = [f for f in (name_field, code_field, parent_field, inhabitants_field) if f]
    missing = [f for f in wanted if f not in ogr_layer.fields]
    if missing:
        raise ImportFailed(
            _("Layer '%(layer)s' has no field %(missing)s. Its fields are: %(fields)s.")
            % {
                "layer": ogr_layer.name,
                "missing": ", ".join(f"'{m}'" for m in missing),
                "fields": ", ".join(ogr_layer.fields) or "-",
            }
        )
    if len(ogr_layer) == 0:
        raise ImportFailed(_("Layer '%(layer)s' has no features.") % {"layer": ogr_layer.name})
    transform = _transform_for(ogr_layer, report)

    features, problems = [], []
    first_seen: dict[str, str] = {}
    for number, feature in enumerate(ogr_layer, start=1):
        code = _text(feature.get(code_field))
        label = (
            _("feature %(n)d (code %(code)s)") % {"n": number, "code": code}
            if code
            else _("feature %(n)d") % {"n": number}
        )
        if not code:
            problems.append(_("%(f)s: the code field '%(field)s' is empty.") % {"f": label, "field": code_field})
            continue
        if code in first_seen:
            problems.append(
                _("%(f)s: the code appears again (first at %(first)s).") % {"f": label, "first": first_seen[code]}
            )
            continue
        first_seen[code] = label
        name = _text(feature.get(name_field))
        if not name:
            problems.append(_("%(f)s: the name field '%(field)s' is empty.") % {"f": label, "field": name_field})
            continue
        geometry, problem = _feature_geometry(feature, transform, label, report)
        if problem:
            problems.append(problem)
            continue
        item = _Feature(number=number, label=label, code=code[:40], name=name[:200], geometry=geometry)
        if parent_field:
            item.parent_code = _text(feature.get(parent_field)) or None
        if inhabitants_field:
            item.inhabitants = _inhabitants(feature.get(inhabitants_field), label, report)
        features.append(item)
    if problems:
        raise ImportFailed([_("Nothing was imported: every feature must be usable.")] + problems)

    on = valid_from or Wijk._meta.get_field("valid_from").get_default()
    with scope(zone=zone.pk), transaction.atomic():
        parents = _parents(zone, features, on, report) if parent_field else {}
        imported_ids = []
        for item in features:
            if valid_from is None:
                # No version given: update the version that is current today in place, whatever its start.
                wijk = (
                    Wijk.objects.current().filter(code=item.code).order_by("-valid_from").first()
                    or Wijk.objects.filter(code=item.code, valid_from=on).first()
                )
            else:
                wijk = Wijk.objects.filter(code=item.code, valid_from=on).first()
            if wijk is None:
                wijk = Wijk(zone=zone, code=item.code, valid_from=on)
                report.created += 1
            else:
                report.updated += 1
            wijk.name = item.name
            wijk.kind = Wijk.Kind.WIJK
            wijk.boundary = item.geometry
            if parent_field:
                wijk.parent = parents.get(item.parent_code)
            if inhabitants_field:
                wijk.inhabitants = item.inhabitants
            _save(wijk, item.label)
            imported_ids.append(wijk.pk)
        if parents:
            _fill_parents(list(parents.values()), inhabitants_field is not None)
            imported_ids.extend(p.pk for p in parents.values())
        if valid_from is not None:
            _close_old_versions(zone, on, imported_ids, parent_field is not None, report)
        _check_coverage(zone, valid_from or timezone.localdate(), report)
        # Bulk writes bypass the save signals that expire cached mijn-buurt answers.
        transaction.on_commit(lookup_invalidate)
    report.seconds = _now() - started
    return report


def _open_datasource(path: Path) -> DataSource:
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    target = str(path)
    if path.suffix.lower() == ".zip":
        target = _inside_zip(path)
    try:
        return DataSource(target)
    except GDALException:
        raise ImportFailed(
            _("%(name)s is not a geographic file GDAL can read (GeoJSON, Shapefile in a .zip, GeoPackage).")
            % {"name": path.name}
        ) from None


def _inside_zip(path: Path) -> str:
    """GDAL reads a zipped Shapefile through /vsizip/; find the one data file inside (folders are fine)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(GEO_SUFFIXES) and "__MACOSX" not in n]
    except zipfile.BadZipFile:
        raise ImportFailed(_("%(name)s is not a valid zip file.") % {"name": path.name}) from None
    if not names:
        raise ImportFailed(_("%(name)s holds no .shp, .gpkg or .geojson file.") % {"name": path.name})
    if len(names) > 1:
        raise ImportFailed(
            _("%(name)s holds more than one data file (%(files)s): put one boundary set in a zip.")
            % {"name": path.name, "files": ", ".join(names)}
        )
    return f"/vsizip/{path}/{names[0]}"


def _pick_layer(source: DataSource, layer: int | str | None, filename: str):
    names = [source[i].name for i in range(source.layer_count)]
    if layer is None or layer == "":
        return source[0]
    if isinstance(layer, str) and not layer.isdigit():
        if layer not in names:
            raise ImportFailed(
                _("%(file)s has no layer '%(layer)s'. Its layers are: %(layers)s.")
                % {"file": filename, "layer": layer, "layers": ", ".join(names)}
            )
        return source[layer]
    index = int(layer)
    if not 0 <= index < len(names):
        raise ImportFailed(
            _("%(file)s has no layer %(n)d (it has %(count)d, numbered from 0: %(layers)s).")
            % {"file": filename, "n": index, "count": len(names), "layers": ", ".join(names)}
        )
    return source[index]


def _transform_for(ogr_layer, report: ImportReport) -> CoordTransform | None:
    srs = ogr_layer.srs
    if srs is None:
        minx, miny, maxx, maxy = ogr_layer.extent.tuple
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            report.messages.append(_("The file names no coordinate system; its coordinates look like WGS84 lon/lat."))
            return None
        raise ImportFailed(
            _(
                "Layer '%(layer)s' names no coordinate system and its coordinates are not lon/lat. "
                "Add the .prj file of the Shapefile (or save it with a coordinate system)."
            )
            % {"layer": ogr_layer.name}
        )
    if srs.srid == 4326:
        return None
    report.messages.append(
        _("Reprojected from %(srs)s to WGS84 (EPSG:4326).")
        % {"srs": f"{srs.name} (EPSG:{srs.srid})" if srs.srid else srs.name}
    )
    return CoordTransform(srs, SpatialReference(4326))


def _feature_geometry(feature, transform, label: str, report: ImportReport) -> tuple[MultiPolygon | None, str | None]:
    try:
        ogr = feature.geom
    except GDALException:
        return None, _("%(f)s has no geometry.") % {"f": label}
    if ogr.empty:
        return None, _("%(f)s has an empty geometry.") % {"f": label}
    ogr = ogr.clone()
    if ogr.coord_dim != 2:
        ogr.coord_dim = 2
    try:
        if transform is not None:
            ogr.transform(transform)
        geometry = GEOSGeometry(ogr.wkb, srid=4326)
    except (GDALException, GEOSException) as exc:
        return None, _("%(f)s: the geometry cannot be read (%(error)s).") % {"f": label, "error": exc}
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None, _("%(f)s is a %(type)s, not a polygon.") % {"f": label, "type": geometry.geom_type}
    if not geometry.valid:
        geometry = _repair(geometry, label, report)
        if geometry is None:
            return None, _("%(f)s: the invalid geometry could not be repaired.") % {"f": label}
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=4326)
    minx, miny, maxx, maxy = geometry.extent
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None, _("%(f)s lies outside the world after reprojection (wrong coordinate system?).") % {"f": label}
    return geometry, None


def _repair(geometry: GEOSGeometry, label: str, report: ImportReport) -> MultiPolygon | Polygon | None:
    """MakeValid keeps every part of a self-intersecting ring (a bow-tie becomes two triangles); buffer(0)
    can drop one, so it is only the fallback."""
    reason = geometry.valid_reason
    before = geometry.area
    repaired, how = None, ""
    try:
        repaired = _polygonal(geometry.make_valid())
        how = "MakeValid"
    except (GEOSException, ValueError):
        repaired = None
    if repaired is None or repaired.empty or not repaired.valid:
        try:
            repaired = _polygonal(geometry.buffer(0))
            how = "buffer(0)"
        except GEOSException:
            repaired = None
    if repaired is None or repaired.empty or not repaired.valid:
        return None
    report.repaired += 1
    change = (repaired.area - before) / before * 100 if before else 0.0
    report.messages.append(
        _("Repaired %(f)s: %(reason)s; fixed with %(how)s (%(parts)d part(s), area %(change)+.1f%%).")
        % {"f": label, "reason": reason, "how": how, "parts": len(repaired), "change": change}
    )
    return repaired


def _polygonal(geometry: GEOSGeometry) -> MultiPolygon | None:
    """The polygons of a repair result (MakeValid may add the collapsed lines of a spike)."""
    if geometry.geom_type == "Polygon":
        return MultiPolygon(geometry, srid=4326)
    if geometry.geom_type == "MultiPolygon":
        return geometry
    polygons = []
    if geometry.geom_type == "GeometryCollection":
        for part in geometry:
            if part.geom_type == "Polygon":
                polygons.append(part)
            elif part.geom_type == "MultiPolygon":
                polygons.extend(part)
    return MultiPolygon(polygons, srid=4326) if polygons else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _inhabitants(value, label: str, report: ImportReport) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = -1
    if number < 0 or not number.is_integer():
        report.messages.append(
            _("%(f)s: inhabitants '%(value)s' is not a whole number; left empty.") % {"f": label, "value": text}
        )
        return None
    return int(number)


def _save(wijk: Wijk, label: str) -> None:
    try:
        wijk.full_clean()
    except ValidationError as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ImportFailed(_("%(f)s: %(details)s") % {"f": label, "details": details}) from None
    wijk.save()


def _parents(zone: Zone, features: list[_Feature], on: datetime.date, report: ImportReport) -> dict[str, Wijk]:
    """The police districts named in the parent field: the version valid on `on`, else a new one (its name is
    the code until someone renames it; its boundary is the union of its wijken)."""
    parents: dict[str, Wijk] = {}
    for code in sorted({f.parent_code for f in features if f.parent_code}):
        existing = Wijk.objects.current(on).filter(code=code).first()
        if existing is not None and existing.kind != Wijk.Kind.POLITIEWIJK:
            raise ImportFailed(
                _("The parent code '%(code)s' is a wijk of this zone, not a police district.") % {"code": code}
            )
        if existing is None or existing.valid_from != on:
            existing = Wijk.objects.filter(code=code, valid_from=on).first() or Wijk(
                zone=zone, code=code, name=code[:200], kind=Wijk.Kind.POLITIEWIJK, valid_from=on
            )
            if existing.pk is None:
                report.messages.append(_("Created police district %(code)s.") % {"code": code})
                _save(existing, code)
        parents[code] = existing
    return parents


def _fill_parents(parents: list[Wijk], with_inhabitants: bool) -> None:
    """A police district's boundary is the union of its wijken, computed in PostGIS."""
    table = Wijk._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} p SET
                boundary = (SELECT ST_Multi(ST_CollectionExtract(ST_Union(c.boundary), 3))
                            FROM {table} c WHERE c.parent_id = p.id AND c.valid_from = p.valid_from),
                inhabitants = CASE WHEN %s THEN (SELECT sum(c.inhabitants) FROM {table} c
                                                 WHERE c.parent_id = p.id AND c.valid_from = p.valid_from)
                              ELSE p.inhabitants END
            WHERE p.id = ANY(%s)
            """,
            [with_inhabitants, [p.pk for p in parents]],
        )


def _close_old_versions(zone: Zone, on: datetime.date, imported_ids: list[int], parents: bool, report) -> None:
    kinds = [Wijk.Kind.WIJK] + ([Wijk.Kind.POLITIEWIJK] if parents else [])
    old = Wijk.objects.filter(kind__in=kinds, valid_until__isnull=True, valid_from__lt=on).exclude(pk__in=imported_ids)
    report.closed = old.update(valid_until=on)
    if report.closed:
        report.messages.append(
            ngettext(
                "Closed %(n)d earlier boundary version: valid until %(on)s.",
                "Closed %(n)d earlier boundary versions: valid until %(on)s.",
                report.closed,
            )
            % {"n": report.closed, "on": on.isoformat()}
        )
    # Importing an older set after a newer one: the older versions end where the newer ones begin.
    table = Wijk._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} w SET valid_until = (SELECT min(n.valid_from) FROM {table} n
                                                 WHERE n.zone_id = w.zone_id AND n.code = w.code
                                                   AND n.valid_from > w.valid_from)
            WHERE w.id = ANY(%s) AND EXISTS (SELECT 1 FROM {table} n WHERE n.zone_id = w.zone_id
                                              AND n.code = w.code AND n.valid_from > w.valid_from)
            """,
            [imported_ids],
        )


def _check_coverage(zone: Zone, on: datetime.date, report: ImportReport) -> None:
    """Overlaps between wijken, gaps inside the zone (or, without a zone boundary, holes inside the outline of
    the wijken) and wijken outside the zone, for the set of wijken valid on `on`. Measured on the spheroid."""
    table = Wijk._meta.db_table
    current = f"""
        SELECT id, code, boundary FROM {table}
        WHERE zone_id = %(zone)s AND kind = 'wijk' AND boundary IS NOT NULL
          AND valid_from <= %(on)s AND (valid_until IS NULL OR valid_until > %(on)s)
    """
    params = {"zone": zone.pk, "on": on, "overlap": OVERLAP_TOLERANCE_M2}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH w AS ({current})
                SELECT a.code, b.code, ST_Area(ST_Intersection(a.boundary, b.boundary)::geography) AS m2
                FROM w a JOIN w b ON a.id < b.id AND ST_Intersects(a.boundary, b.boundary)
                WHERE ST_Area(ST_Intersection(a.boundary, b.boundary)::geography) > %(overlap)s
                ORDER BY m2 DESC
                """,
                params,
            )
            report.overlaps = [(a, b, float(m2)) for a, b, m2 in cursor.fetchall()]
            cursor.execute(
                f"""
                WITH w AS ({current}),
                u AS (SELECT ST_Union(boundary) AS g FROM w),
                outline AS (
                    SELECT ST_Union(ST_MakePolygon(ST_ExteriorRing(d.geom))) AS g FROM u, ST_Dump(u.g) d
                ),
                area AS (
                    SELECT COALESCE((SELECT boundary FROM {Zone._meta.db_table} WHERE id = %(zone)s), outline.g) AS g
                    FROM outline
                ),
                parts AS (
                    SELECT (ST_Dump(ST_Difference(area.g, u.g))).geom AS g FROM area, u
                ),
                measured AS (
                    SELECT g, ST_Area(g::geography) AS m2, ST_Perimeter(g::geography) AS perimeter FROM parts
                )
                SELECT m2, ST_X(ST_PointOnSurface(g)), ST_Y(ST_PointOnSurface(g)) FROM measured
                WHERE m2 > %(gap)s AND 2 * m2 / NULLIF(perimeter, 0) > %(width)s
                ORDER BY m2 DESC
                """,
                {**params, "gap": GAP_TOLERANCE_M2, "width": GAP_MIN_WIDTH_M},
            )
            report.gaps = [(float(m2), float(x), float(y)) for m2, x, y in cursor.fetchall()]
            if zone.boundary is not None:
                cursor.execute(
                    f"""
                    WITH w AS ({current})
                    SELECT w.code FROM w, {Zone._meta.db_table} z
                    WHERE z.id = %(zone)s AND NOT ST_Intersects(w.boundary, z.boundary) ORDER BY w.code
                    """,
                    params,
                )
                outside = [code for (code,) in cursor.fetchall()]
                if outside:
                    report.messages.append(
                        _("Outside the zone boundary: %(codes)s (wrong coordinate system or wrong zone?).")
                        % {"codes": ", ".join(outside)}
                    )
    except DatabaseError as exc:
        report.messages.append(_("Overlaps and gaps could not be checked: %(error)s") % {"error": exc})
    if not report.overlaps and not report.gaps:
        report.messages.append(_("No overlaps or gaps between the wijken."))


# --- Addresses -----------------------------------------------------------------------------------------

_ALIASES = {
    "street": ("street", "straat", "openbareruimte", "openbare_ruimte", "straatnaam"),
    "number": ("housenumber", "huisnummer"),
    "box": ("box", "busnummer", "bus"),
    "letter": ("huisletter",),
    "addition": ("toevoeging", "huisnummertoevoeging"),
    "postcode": ("postcode",),
    "place": ("municipality", "woonplaats", "plaats"),
    "lon": ("lon",),
    "lat": ("lat",),
    "x": ("x",),
    "y": ("y",),
}
BE_POSTCODE = re.compile(r"^\d{4}$")
NL_POSTCODE = re.compile(r"^\d{4}[A-Z]{2}$")
_STAGING = "wijkwerk_address_staging"


@dataclass
class _Layout:
    name: str
    country: str
    columns: dict[str, int]  # role -> column index
    rd: bool  # x/y in RD New instead of lon/lat


def _detect_layout(header: list[str], filename: str) -> _Layout:
    names = [h.strip().lstrip("\ufeff").lower().replace(" ", "_") for h in header]
    columns = {}
    for role, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in names:
                columns[role] = names.index(alias)
                break
    if "housenumber" in names and "street" in names:
        name, country, required = "BE", "BE", ["street", "number", "postcode", "place", "lon", "lat"]
    elif "huisnummer" in names and "postcode" in names:
        name, country = "NL", "NL"
        required = ["street", "number", "postcode", "place"]
        required += ["lon", "lat"] if "lon" in columns and "lat" in columns else ["x", "y"]
    else:
        raise ImportFailed(
            _(
                "%(file)s: the header row is not one of the known layouts. Expected either "
                "street, housenumber, postcode, municipality, lon, lat (Belgian) or postcode, huisnummer, "
                "straat/openbareruimte, woonplaats and lon, lat or x, y (Dutch). Found: %(found)s."
            )
            % {"file": filename, "found": ", ".join(header)}
        )
    missing = [role for role in required if role not in columns]
    if missing:
        raise ImportFailed(
            _("%(file)s: the %(layout)s layout needs a column for %(missing)s.")
            % {"file": filename, "layout": name, "missing": ", ".join(_ALIASES[m][0] for m in missing)}
        )
    return _Layout(name, country, columns, rd="lon" not in columns)


def _decode(path: Path, report: ImportReport) -> io.TextIOBase:
    with path.open("rb") as probe:
        sample = probe.read(1 << 20)
    try:
        sample.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is not an encoding problem.
        if exc.start >= len(sample) - 4:
            encoding = "utf-8-sig"
        else:
            encoding = "cp1252"
            report.messages.append(_("The file is not UTF-8; read as Windows-1252."))
    return path.open(encoding=encoding, newline="", errors="replace")


def import_adressen(*, path: str | Path, source: str = "", country: str | None = None) -> ImportReport:
    """Bulk-load addresses from a CSV file (see the module docstring for the accepted layouts)."""
    started = _now()
    path = Path(path)
    report = ImportReport(what=_("Addresses from %(file)s") % {"file": path.name})
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    if country is not None and country not in Address.Country.values:
        raise ImportFailed(_("Unknown country '%(c)s': use BE or NL.") % {"c": country})
    with _decode(path, report) as handle:
        first = handle.readline()
        if not first.strip():
            raise ImportFailed(_("%(file)s is empty.") % {"file": path.name})
        delimiter = ";" if first.count(";") > first.count(",") else ","
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        layout = _detect_layout(next(reader), path.name)
        country = country or layout.country
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGING}")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {_STAGING} (
                    street text, house_number text, box text, postcode text, municipality text,
                    x float8, y float8, line int
                ) ON COMMIT DROP
                """
            )
            with cursor.copy(
                f"COPY {_STAGING} (street, house_number, box, postcode, municipality, x, y, line) FROM STDIN"
            ) as copy:
                for row in _valid_rows(reader, layout, country, report):
                    copy.write_row(row)
            srid = 28992 if layout.rd else 4326
            report.created, report.updated, distinct, staged = _merge_addresses(
                cursor, country=country, source=source[:100], srid=srid
            )
            report.unchanged = distinct - report.created - report.updated
            if staged > distinct:
                cursor.execute(
                    f"""
                    SELECT line FROM (
                        SELECT line, row_number() OVER (PARTITION BY postcode, street, house_number, box
                                                        ORDER BY line DESC) AS later
                        FROM {_STAGING}) AS t
                    WHERE later > 1 ORDER BY line LIMIT {MAX_LISTED}
                    """
                )
                lines = ", ".join(str(line) for (line,) in cursor.fetchall())
                report.messages.append(
                    ngettext(
                        "%(n)d row gave an address that a later row gives again; the later one counts "
                        "(line %(lines)s).",
                        "%(n)d rows gave an address that a later row gives again; the later one counts "
                        "(lines %(lines)s).",
                        staged - distinct,
                    )
                    % {"n": staged - distinct, "lines": lines}
                )
            cursor.execute(f"DROP TABLE pg_temp.{_STAGING}")
            if report.created > 10_000:
                # Fresh planner statistics, so the lookups choose the indexes right after a big load.
                cursor.execute(f"ANALYZE {Address._meta.db_table}")
    report.messages.insert(
        0, _("Layout: %(layout)s (country %(country)s).") % {"layout": layout.name, "country": country}
    )
    # COPY and INSERT ... SELECT bypass the save signals that expire cached mijn-buurt answers.
    transaction.on_commit(lookup_invalidate)
    report.seconds = _now() - started
    return report


def _valid_rows(reader, layout: _Layout, country: str, report: ImportReport):
    """Yield COPY rows for the rows that pass, refuse the others with their line number. Kept to plain
    string and float work: this loop runs once per address."""
    c = layout.columns
    i_street, i_number, i_postcode, i_place = c["street"], c["number"], c["postcode"], c["place"]
    i_box, i_letter, i_addition = c.get("box"), c.get("letter"), c.get("addition")
    i_x, i_y = (c["x"], c["y"]) if layout.rd else (c["lon"], c["lat"])
    width = max(c.values()) + 1
    (x_min, x_max), (y_min, y_max) = (RD_X_RANGE, RD_Y_RANGE) if layout.rd else (LON_RANGE, LAT_RANGE)
    postcode_pattern = NL_POSTCODE if country == "NL" else BE_POSTCODE
    dutch = country == "NL"
    refuse = report.refuse
    for row in reader:
        line = reader.line_num
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                continue  # blank line
            refuse(
                _("line %(n)d") % {"n": line},
                _("%(found)d columns, expected %(width)d") % {"found": len(row), "width": width},
            )
            continue
        street = row[i_street].strip()
        number = row[i_number].strip()
        if not street or not number:
            refuse(_("line %(n)d") % {"n": line}, _("street or house number missing"))
            continue
        postcode = row[i_postcode].strip()
        if dutch:
            postcode = postcode.replace(" ", "").upper()
        if not postcode_pattern.match(postcode):
            refuse(_("line %(n)d") % {"n": line}, _("postcode '%(p)s' is not valid") % {"p": postcode})
            continue
        if i_box is not None:
            box = row[i_box].strip()
        else:
            letter = row[i_letter].strip() if i_letter is not None else ""
            addition = row[i_addition].strip() if i_addition is not None else ""
            box = f"{letter}-{addition}" if letter and addition else letter or addition
        place = row[i_place].strip()
        if len(street) > 200 or len(number) > 20 or len(box) > 20 or len(place) > 100:
            refuse(_("line %(n)d") % {"n": line}, _("a value is longer than the field allows"))
            continue
        try:
            x = float(row[i_x].replace(",", "."))
            y = float(row[i_y].replace(",", "."))
        except ValueError:
            refuse(
                _("line %(n)d") % {"n": line},
                _("coordinates '%(x)s', '%(y)s' are not numbers") % {"x": row[i_x], "y": row[i_y]},
            )
            continue
        if not (x_min <= x <= x_max and y_min <= y <= y_max):
            if not layout.rd and x_min <= y <= x_max and y_min <= x <= y_max:
                reason = _("lon and lat look swapped (%(x)s, %(y)s)") % {"x": x, "y": y}
            else:
                reason = _("coordinates %(x)s, %(y)s lie outside Belgium and the Netherlands") % {"x": x, "y": y}
            refuse(_("line %(n)d") % {"n": line}, reason)
            continue
        yield (street, number, box, postcode, place, x, y, line)


def _merge_addresses(cursor, *, country: str, source: str, srid: int) -> tuple[int, int, int, int]:
    """One statement: the last row per address wins (DISTINCT ON), new ones are inserted, changed ones
    updated, identical ones left alone. Returns (created, updated, distinct addresses, rows staged)."""
    table = Address._meta.db_table
    point = (
        "ST_SetSRID(ST_MakePoint(s.x, s.y), 4326)"
        if srid == 4326
        else f"ST_Transform(ST_SetSRID(ST_MakePoint(s.x, s.y), {int(srid)}), 4326)"
    )
    cursor.execute(
        f"""
        WITH src AS (
            SELECT DISTINCT ON (postcode, street, house_number, box) *
            FROM {_STAGING} ORDER BY postcode, street, house_number, box, line DESC
        ), merged AS (
            INSERT INTO {table} AS a
                (country, street, house_number, box, postcode, municipality, point, source, search_text)
            SELECT %(country)s, s.street, s.house_number, s.box, s.postcode, s.municipality, {point}, %(source)s,
                   left(lower(unaccent(concat_ws(' ', s.street, s.house_number, nullif(s.box, ''), s.postcode,
                                                  s.municipality))), 400)
            FROM src s
            ON CONFLICT (country, postcode, street, house_number, box) DO UPDATE SET
                municipality = EXCLUDED.municipality, point = EXCLUDED.point,
                source = EXCLUDED.source, search_text = EXCLUDED.search_text
            WHERE (a.municipality, a.source, a.search_text, ST_AsBinary(a.point))
                  IS DISTINCT FROM
                  (EXCLUDED.municipality, EXCLUDED.source, EXCLUDED.search_text, ST_AsBinary(EXCLUDED.point))
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
               (SELECT count(*) FROM src), (SELECT count(*) FROM {_STAGING})
        FROM merged
        """,
        {"country": country, "source": source},
    )
    return tuple(int(n) for n in cursor.fetchone())


def _now() -> float:
    import time

    return time.monotonic()
