"""Wijk boundaries from GDAL layers (GeoJSON, Shapefile, GeoPackage); see the package docstring."""

from __future__ import annotations

import datetime
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from ..lookup.caching import invalidate as lookup_invalidate
from ..models import Wijk, Zone
from ..services.redraw import redraw_follow
from ..signals import boundaries_redrawn
from .report import ImportFailed, ImportReport
from .report import now as _now

# Overlaps smaller than this are digitising noise of simplified boundaries, not a real double assignment.
OVERLAP_TOLERANCE_M2 = 500.0
# A gap is reported when it is larger than this and wider (2 x area / perimeter) than GAP_MIN_WIDTH_M: the
# zone boundary and the wijken often come from different sources, which leaves long, thin slivers that are
# no one's neighbourhood.
GAP_TOLERANCE_M2 = 5_000.0
GAP_MIN_WIDTH_M = 25.0

GEO_SUFFIXES = (".geojson", ".json", ".shp", ".gpkg")


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
            report.messages.extend(redraw_follow(zone=zone, on=on, new_ids=imported_ids).messages())
            # Higher apps (partners) follow through a signal of ours: wijken imports none of them.
            transaction.on_commit(lambda: boundaries_redrawn.send(sender=Wijk, zone=zone, on=on))
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
