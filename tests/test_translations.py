"""Every interface string has a Dutch and a French translation (English is the source language)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def entries(*args: str, path: Path) -> list[str]:
    """The entries msgattrib selects, one text block each, less the catalogue's header."""
    output = subprocess.run(
        ["msgattrib", *args, "--no-obsolete", str(path)], capture_output=True, text=True, check=True
    )
    blocks = [block for block in output.stdout.split("\n\n") if "\nmsgid " in "\n" + block]
    return [block for block in blocks if '"Content-Type:' not in block]


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalogue_is_complete(language, domain):
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists()
    assert entries("--untranslated", path=path) == []
    assert entries("--only-fuzzy", path=path) == []
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
