"""The composite GitHub Action's check step (action.yml): run ftlint on the action's inputs.

The inputs arrive as environment variables and become arguments here, without a shell: `paths`
is one path per line (spaces belong to the path), `args` is split with shlex (quotes group words;
nothing is expanded or run). Annotations go to the log as ftlint writes them; its totals (stderr)
also go to the job summary. With `sarif: true` a second run writes a SARIF report for the upload
step. The exit code is handed to the action's last step as the `exit-code` output, so that the
SARIF upload still runs when violations fail the job.
"""

from __future__ import annotations

import html
import os
import shlex
import subprocess
import sys
from pathlib import Path


def _inputs() -> tuple[list[str], list[str]]:
    paths = [line.strip() for line in os.environ.get("FTLINT_PATHS", ".").splitlines() if line.strip()]
    return paths or ["."], shlex.split(os.environ.get("FTLINT_ARGS", ""))


def _ftlint(*arguments: str) -> subprocess.CompletedProcess[str]:
    # Standard output (the annotations) goes straight to the log; stderr is kept for the summary.
    return subprocess.run([sys.executable, "-m", "ftlint", "check", *arguments], stderr=subprocess.PIPE,
                          text=True, encoding="utf-8", errors="replace", check=False)


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)


def main() -> int:
    paths, extra = _inputs()
    checked = _ftlint("--format", "github", *extra, "--", *paths)
    sys.stderr.write(checked.stderr)
    outputs = {"exit-code": str(checked.returncode)}
    if os.environ.get("FTLINT_SARIF", "false").lower() == "true":
        sarif = Path(os.environ.get("RUNNER_TEMP") or ".") / "ftlint.sarif"
        written = _ftlint(*extra, "--format", "sarif", "-o", str(sarif), "--exit-zero", "--", *paths)
        sys.stderr.write(written.stderr)
        if written.returncode == 0:
            outputs["sarif-file"] = str(sarif)
    if os.environ.get("FTLINT_SUMMARY", "true").lower() == "true" and checked.stderr.strip():
        _append("GITHUB_STEP_SUMMARY", f"### ftlint\n\n<pre>\n{html.escape(checked.stderr.rstrip())}\n</pre>\n\n")
    _append("GITHUB_OUTPUT", "".join(f"{key}={value}\n" for key, value in outputs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
