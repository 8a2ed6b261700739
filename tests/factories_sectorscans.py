"""Factories of the sectorscans app (see tests/factories.py)."""

from __future__ import annotations
