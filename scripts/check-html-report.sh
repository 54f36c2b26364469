#!/usr/bin/env bash
# Render the HTML report of the bundled fixtures in headless Chromium (Debian's `chromium` package):
# the DOM after the inline script ran must show the expected rows, and a screenshot must not be blank.
#   scripts/check-html-report.sh [OUTPUT_DIR]      (PYTHON=... to choose the interpreter with ftlint)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
python="${PYTHON:-python3}"
browser="$(command -v chromium || command -v chromium-browser)"
"$python" -m ftlint check fixtures/bad/role-order.jsonl fixtures/clean --format html -o "$out/report.html" || true
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking
       --disable-component-update --disable-sync --no-first-run --user-data-dir="$out/profile")
"$browser" "${flags[@]}" --dump-dom "file://$out/report.html" > "$out/dom.html" 2> "$out/browser.log"
"$browser" "${flags[@]}" --window-size=1200,1400 --screenshot="$out/report.png" "file://$out/report.html" \
    >> "$out/browser.log" 2>&1
"$python" - "$out" <<'PY'
import re, struct, sys, zlib
from pathlib import Path
out = Path(sys.argv[1])
dom = (out / "dom.html").read_text(encoding="utf-8")
rows = re.findall(r'<tr data-severity="(\w+)"[^>]*?(hidden="")?>', dom)
visible = [severity for severity, hidden in rows if not hidden]
shown = re.search(r'<span id="shown">(\d+)</span>', dom)
assert shown and int(shown.group(1)) == len(visible), (shown and shown.group(1), len(visible))
print(f"rows shown: {len(visible)}")
png = (out / "report.png").read_bytes()
assert png.startswith(b"\x89PNG"), "no screenshot"
data, at = b"", 8
while at < len(png):
    length, kind = struct.unpack(">I4s", png[at:at + 8])
    if kind == b"IDAT":
        data += png[at + 8:at + 8 + length]
    at += 12 + length
pixels = zlib.decompress(data)
assert len(set(pixels[::7])) > 20, "screenshot looks blank"
print(f"screenshot not blank ({len(set(pixels[::7]))} distinct byte values)")
PY
