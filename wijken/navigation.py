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
    group: object = None  # a lazily translated label; sections with the same group share a header menu

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


_sections: dict[str, Section] = {}


def register_section(
    *, key: str, label, url_name: str, roles: Iterable[str], description="", order: int = 100, group=None
) -> None:
    _sections[key] = Section(key, label, url_name, frozenset(roles), description, order, group)


def sections_for(role: str | None) -> list[Section]:
    if role is None:
        return []
    return sorted((s for s in _sections.values() if role in s.roles), key=lambda s: (s.order, s.key))


@dataclass(frozen=True)
class NavGroup:
    label: object
    sections: tuple[Section, ...]


def nav_groups_for(role: str | None) -> list[NavGroup]:
    """The header menu: sections of one group become a dropdown, a group of one a plain link. Groups keep
    the order of their first section."""
    groups: dict[str, list[Section]] = {}
    labels: dict[str, object] = {}
    for section in sections_for(role):
        if section.url is None:
            continue
        key = str(section.group) if section.group is not None else f"section:{section.key}"
        groups.setdefault(key, []).append(section)
        labels.setdefault(key, section.group if section.group is not None else section.label)
    return [NavGroup(labels[key], tuple(items)) for key, items in groups.items()]


# Quick actions: the one or two things a role does most, as big buttons at the top of the home page (a
# wijkinspecteur on a phone should not scroll past every section to log a visit).
_actions: dict[str, Section] = {}


def register_action(*, key: str, label, url_name: str, roles: Iterable[str], order: int = 100) -> None:
    _actions[key] = Section(key, label, url_name, frozenset(roles), "", order)


def actions_for(role: str | None) -> list[Section]:
    if role is None:
        return []
    found = (a for a in _actions.values() if role in a.roles and a.url is not None)
    return sorted(found, key=lambda a: (a.order, a.key))
