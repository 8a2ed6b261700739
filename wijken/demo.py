"""The demo data set, built in steps. Each app registers its steps in its AppConfig.ready() (a registry owned
by the ground floor, so that wijken never imports a higher app); `manage.py load_demo` runs them in order.
Every step must be idempotent: running load_demo twice gives the same data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

DATA_DIR = Path(settings.BASE_DIR) / "data"
DEMO_PASSWORD = "wijkwerk-demo"


@dataclass
class DemoContext:
    """What the steps hand to each other, and what the command prints at the end."""

    zones: dict = field(default_factory=dict)  # slug -> Zone
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (zone, role, username)
    summary: list[str] = field(default_factory=list)
    stdout: Callable[[str], None] = print


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[DemoContext], None]


_steps: dict[str, DemoStep] = {}


def demo_step(order: int, name: str):
    """Decorator: register a function as a demo step."""

    def register(func: Callable[[DemoContext], None]):
        _steps[name] = DemoStep(order, name, func)
        return func

    return register


def demo_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
