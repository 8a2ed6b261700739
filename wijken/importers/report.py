"""What an import did (`ImportReport`) and why a file could not be imported (`ImportFailed`)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# How many individual problems a report lists before it only counts them.
MAX_LISTED = 20


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


def now() -> float:
    return time.monotonic()
