"""A registry of the product's sections, owned by the ground floor so that higher apps can add their pages
to the header and the home page without wijken importing them (DESIGN §3). Apps register in ready()."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # lazily translated
    url_name: str
    roles: frozenset[str]
    description: str = ""
    order: int = 100

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


_sections: dict[str, Section] = {}


def register_section(*, key: str, label, url_name: str, roles: Iterable[str], description="", order: int = 100) -> None:
    _sections[key] = Section(key, label, url_name, frozenset(roles), description, order)


def sections_for(role: str | None) -> list[Section]:
    if role is None:
        return []
    return sorted((s for s in _sections.values() if role in s.roles), key=lambda s: (s.order, s.key))
