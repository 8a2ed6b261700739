"""Signals owned by wijken, so that higher apps can react to it without wijken importing them (DESIGN.md §3)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (sender=Wijk) after a boundary import with a `valid_from` has committed, with keyword arguments
# `zone` (the Zone) and `on` (the date the new boundary versions begin). Receivers re-derive whatever they
# keep per wijk from a point; they run outside the import's transaction and zone scope.
boundaries_redrawn = Signal()
