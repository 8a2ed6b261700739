"""Addresses from CSV (Belgian CRAB or Dutch BAG layout), streamed with COPY; see the package docstring."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..lookup.caching import invalidate_addresses
from ..models import Address, AddressStreet
from .report import MAX_LISTED, ImportFailed, ImportReport
from .report import now as _now

# Belgium and the Netherlands with a margin (lon/lat); addresses outside are refused.
LON_RANGE = (2.3, 7.3)
LAT_RANGE = (49.4, 53.7)
# The valid area of RD New (EPSG:28992), metres.
RD_X_RANGE = (-7_000.0, 300_000.0)
RD_Y_RANGE = (289_000.0, 629_000.0)

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
                cursor.execute(f"ANALYZE {AddressStreet._meta.db_table}")
    report.messages.insert(
        0, _("Layout: %(layout)s (country %(country)s).") % {"layout": layout.name, "country": country}
    )
    # COPY and INSERT ... SELECT bypass the save signals that expire cached mijn-buurt answers.
    invalidate_addresses()  # search candidates and addresses by id are cached
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


# The search columns, normalised by PostgreSQL (unaccent) so that a query normalised the same way finds them;
# {row} is the alias of the row they are made from.
ADDRESS_SEARCH_TEXT = (
    "left(lower(unaccent(concat_ws(' ', {row}.street, {row}.house_number, nullif({row}.box, ''), {row}.postcode, "
    "{row}.municipality))), 400)"
)
STREET_SEARCH_TEXT = "left(lower(unaccent(concat_ws(' ', {row}.street, {row}.postcode, {row}.municipality))), 400)"


def index_saved_address(address_id: int) -> None:
    """What the importer does in bulk, for one address saved through the ORM (the admin): its search_text and
    its street in the search's street table."""
    table, street_table = Address._meta.db_table, AddressStreet._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} a SET search_text = {ADDRESS_SEARCH_TEXT.format(row='a')} "
            f"WHERE a.id = %s AND a.search_text IS DISTINCT FROM {ADDRESS_SEARCH_TEXT.format(row='a')}",
            [address_id],
        )
        cursor.execute(
            f"""INSERT INTO {street_table} (country, street, postcode, municipality, search_text)
                SELECT a.country, a.street, a.postcode, a.municipality, {STREET_SEARCH_TEXT.format(row="a")}
                FROM {table} a WHERE a.id = %s
                ON CONFLICT (country, postcode, street, municipality) DO NOTHING""",
            [address_id],
        )


def _merge_addresses(cursor, *, country: str, source: str, srid: int) -> tuple[int, int, int, int]:
    """One statement: the last row per address wins (DISTINCT ON), new ones are inserted, changed ones
    updated, identical ones left alone. Returns (created, updated, distinct addresses, rows staged)."""
    table = Address._meta.db_table
    street_table = AddressStreet._meta.db_table
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
                   {ADDRESS_SEARCH_TEXT.format(row="s")}
            FROM src s
            ON CONFLICT (country, postcode, street, house_number, box) DO UPDATE SET
                municipality = EXCLUDED.municipality, point = EXCLUDED.point,
                source = EXCLUDED.source, search_text = EXCLUDED.search_text
            WHERE (a.municipality, a.source, a.search_text, ST_AsBinary(a.point))
                  IS DISTINCT FROM
                  (EXCLUDED.municipality, EXCLUDED.source, EXCLUDED.search_text, ST_AsBinary(EXCLUDED.point))
            RETURNING (xmax = 0) AS inserted
        ), streets AS (
            -- The search's street table (AddressStreet), in the same pass; a street already known stays.
            INSERT INTO {street_table} (country, street, postcode, municipality, search_text)
            SELECT DISTINCT %(country)s, s.street, s.postcode, s.municipality,
                   {STREET_SEARCH_TEXT.format(row="s")}
            FROM src s
            ON CONFLICT (country, postcode, street, municipality) DO NOTHING
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
               (SELECT count(*) FROM src), (SELECT count(*) FROM {_STAGING})
        FROM merged
        """,
        {"country": country, "source": source},
    )
    return tuple(int(n) for n in cursor.fetchone())
