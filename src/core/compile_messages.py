"""Compile locale/*/LC_MESSAGES/*.po to .mo with polib (no system gettext needed). Run by ./dev."""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def compile_all(locale_dir: Path) -> int:
    compiled = 0
    for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled += 1
    return compiled


if __name__ == "__main__":
    compile_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("locale"))
