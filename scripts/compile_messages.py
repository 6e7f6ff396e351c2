"""Compile locale/*/LC_MESSAGES/*.po to .mo with polib, so a fresh machine needs no GNU gettext."""

import sys
from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "locale"
for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(root.parent)}", file=sys.stderr)
