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
    (valid_until = the new valid_from), so that history stays comparable; assignments and contactpunten follow
    the redraw onto the new versions (wijken/services/redraw.py) and partners re-derive their wijk through the
    `boundaries_redrawn` signal. Overlaps, gaps and wijken outside
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

from .addresses import import_adressen
from .boundaries import import_wijken
from .report import MAX_LISTED, ImportFailed, ImportReport

__all__ = ["MAX_LISTED", "ImportFailed", "ImportReport", "import_adressen", "import_wijken"]
