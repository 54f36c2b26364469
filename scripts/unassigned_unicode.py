"""Write ftlint/data/unassigned-unicode-14.json: the code points Unicode 14.0 leaves unassigned (category Cn).

    python3.11 scripts/unassigned_unicode.py     # Python 3.11's unicodedata is Unicode 14.0.0

ftlint.hf.pieces splits text with Python's `regex` module where tokenizers uses Oniguruma; the
two may know different Unicode versions, both 14.0 or newer. They can only disagree on a letter,
digit or space assigned after 14.0, so a text with a code point from this list is counted by
tokenizers itself.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "ftlint" / "data" / "unassigned-unicode-14.json"


def ranges() -> list[list[int]]:
    found: list[list[int]] = []
    for point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(point)) != "Cn":
            continue
        if found and found[-1][1] == point - 1:
            found[-1][1] = point
        else:
            found.append([point, point])
    return found


def main() -> None:
    if unicodedata.unidata_version != "14.0.0":
        sys.exit(f"this Python has Unicode {unicodedata.unidata_version}; run it with Python 3.11 (14.0.0)")
    data = {"source": "Python 3.11 unicodedata (Unicode 14.0.0), general category Cn; "
                      "written by scripts/unassigned_unicode.py",
            "unicode": unicodedata.unidata_version, "ranges": ranges()}
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['ranges'])} ranges")


if __name__ == "__main__":
    main()
