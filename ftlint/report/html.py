"""A self-contained HTML report: summary cards, token histograms, a filterable violations table.

No external scripts, fonts or requests: it opens offline and as a CI artifact. Everything that
comes from the data is escaped; the inline script reads only the table's own attributes.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING

from ftlint import __version__
from ftlint.report import Reporter, Summary
from ftlint.sanitize import visible
from ftlint.stats import describe, log2_bins
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.filereport import FileReport

MAX_ROWS = 5_000  # a bigger table helps nobody in a browser; the JSON report has them all


def _E(text: str) -> str:
    """Data as HTML text or attribute: markup escaped, and controls, bidi overrides and surrogates visible."""
    return html.escape(visible(text))


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232b;background:#f5f6f8}
header{background:#1d232b;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
main{padding:20px 28px}h2{font-size:16px;margin:26px 0 10px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:14px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 16px}
.card h3{margin:0 0 6px;font-size:14px;word-break:break-all}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:8px 0}
.card dt{color:#5b6470}.card dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;margin-right:4px;color:#fff}
.error{background:#c62828}.warning{background:#b26a00}.info{background:#1565c0}.ok{background:#2e7d32}
.filters{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin-bottom:8px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e6}
th,td{padding:5px 8px;border-bottom:1px solid #eef0f2;text-align:left;vertical-align:top}
th{background:#eef0f2;font-weight:600}td code{font-size:12px;white-space:pre-wrap;word-break:break-all}
svg text{font-size:10px;fill:#5b6470}.count{text-align:right;font-variant-numeric:tabular-nums}
details{background:#fff;border:1px solid #dde1e6;border-radius:6px;
margin:6px 0;padding:6px 10px}details pre{white-space:pre-wrap;font-size:13px}.muted{color:#5b6470}
"""

_SCRIPT = """
const table = document.getElementById("violations");
function applyFilters() {
  const severities = new Set([...document.querySelectorAll("input[data-severity]:checked")]
    .map((box) => box.dataset.severity));
  const rule = document.getElementById("rule-filter").value;
  let shown = 0;
  for (const row of table.tBodies[0].rows) {
    const visible = severities.has(row.dataset.severity) && (rule === "" || row.dataset.code === rule);
    row.hidden = !visible;
    if (visible) shown += 1;
  }
  document.getElementById("shown").textContent = shown;
}
document.querySelectorAll("input[data-severity], #rule-filter")
  .forEach((control) => control.addEventListener("change", applyFilters));
applyFilters();
"""


class HtmlReporter(Reporter):
    statistics_note = None  # the page always has a table of counts per rule

    def start(self) -> None:
        self._reports: list[FileReport] = []
        self._serious: list[Violation] = []  # errors and warnings: all of them, always shown
        self._info: list[Violation] = []  # info rows fill what is left of MAX_ROWS
        self._severities: dict[str, set[Severity]] = {}
        self._total = 0

    def violation(self, violation: Violation) -> None:
        self._total += 1
        self._severities.setdefault(violation.code, set()).add(violation.severity)
        if violation.severity is not Severity.INFO:
            self._serious.append(violation)
        elif len(self._info) < MAX_ROWS:
            self._info.append(violation)

    def file_finished(self, report: FileReport) -> None:
        self._reports.append(report)

    def finish(self, summary: Summary) -> None:
        counts = summary.counts
        cost = f"${summary.cost_usd:,.2f}" if summary.cost_usd is not None else "not priced"
        parts = [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>ftlint report: {summary.files} file(s)</title><style>{_STYLE}</style></head><body>",
            f"<header><h1>ftlint report</h1><div>{summary.files} file(s) · {_badges(counts)} · "
            f"{summary.totals.tokens:,} tokens · estimated training cost {_E(cost)}</div></header><main>",
        ]
        parts += [f'<p class="muted">note: {_E(notice)}</p>' for notice in summary.notices]
        parts.append('<h2>Files</h2><section class="cards">')
        span = max((_span(report) for report in self._reports), default=0)  # one x-axis for every card
        parts += [_card(report, span) for report in self._reports]
        parts.append("</section>")
        parts.append(self._rule_counts(summary))
        parts.append(self._table(summary))
        parts.append(self._rule_docs(summary))
        parts.append(f'<p class="muted">ftlint {_E(__version__)}</p></main><script>{_SCRIPT}</script></body></html>')
        self.out.write("\n".join(parts) + "\n")

    def _rows(self) -> list[Violation]:
        """Errors, then warnings, then info (each in file order); info only up to MAX_ROWS in all."""
        serious = sorted(self._serious, key=lambda v: -v.severity.rank)  # stable: file order within
        return serious + self._info[: max(MAX_ROWS - len(serious), 0)]

    def _rule_counts(self, summary: Summary) -> str:
        """Every rule that fired, with its count (the table below may be cut; these never are)."""
        if not summary.by_rule:
            return ""
        def rank(item: tuple[tuple[str, str], int]) -> tuple[int, int, str]:
            (code, _), count = item
            return (-max((s.rank for s in self._severities.get(code, ())), default=0), -count, code)

        rows = []
        for (code, name), count in sorted(summary.by_rule.items(), key=rank):
            badges = "".join(f'<span class="badge {s.value}">{s.value}</span>'
                             for s in Severity if s in self._severities.get(code, ()))
            rows.append(f'<tr><td><a href="#rule-{_E(code)}">{_E(code)}</a></td><td>{_E(name)}</td>'
                        f'<td>{badges}</td><td class="count">{count:,}</td></tr>')
        return ('<h2>Rules</h2><table id="rule-counts"><thead><tr><th>rule</th><th>name</th><th>severity</th>'
                f'<th class="count">violations</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')

    def _table(self, summary: Summary) -> str:
        shown = self._rows()
        codes = sorted(code for code, _ in summary.by_rule)
        options = "".join(f'<option value="{_E(code)}">{_E(code)}</option>' for code in codes)
        boxes = "".join(f'<label><input type="checkbox" data-severity="{s.value}" checked> {s.value}</label>'
                        for s in Severity)
        cut = (f' <span class="muted">(every error and warning, and the first {len(shown) - len(self._serious):,} '
               f"info rows: {len(shown):,} of {self._total:,}; see --format json for all)</span>"
               if self._total > len(shown) else "")
        rows = "".join(_row(v) for v in shown)
        return (f"<h2>Violations</h2><div class=\"filters\">{boxes}<label>rule <select id=\"rule-filter\">"
                f"<option value=\"\">all</option>{options}</select></label><span><span id=\"shown\">"
                f"{len(shown)}</span> shown{cut}</span></div>"
                f'<table id="violations"><thead><tr><th>file</th><th>line:col</th><th>rule</th><th>severity</th>'
                f"<th>message</th><th>source</th></tr></thead><tbody>{rows}</tbody></table>")

    def _rule_docs(self, summary: Summary) -> str:
        docs = []
        for code in sorted(code for code, _ in summary.by_rule):
            rule = self.rules.get(code)
            text = rule.documentation() if rule is not None else ""
            name = rule.name if rule is not None else ""
            docs.append(f'<details id="rule-{_E(code)}"><summary><b>{_E(code)}</b> {_E(name)}</summary>'
                        f"<pre>{html.escape(visible(text, keep=chr(10)))}</pre></details>")
        return "<h2>Rule documentation</h2>" + "".join(docs) if docs else ""


def _badges(counts: Counter[Severity]) -> str:
    if not sum(counts.values()):
        return '<span class="badge ok">no violations</span>'
    def label(severity: Severity) -> str:
        plural = "s" if counts[severity] != 1 and severity is not Severity.INFO else ""
        return f"{counts[severity]:,} {severity.value}{plural}"

    return "".join(f'<span class="badge {s.value}">{label(s)}</span>' for s in Severity if counts[s])


def _row(violation: Violation) -> str:
    snippet = f"<code>{_E(violation.snippet)}</code>" if violation.snippet else ""
    return (f'<tr data-severity="{violation.severity.value}" data-code="{_E(violation.code)}">'
            f"<td>{_E(violation.path)}</td><td>{violation.line}:{violation.column}</td>"
            f'<td><a href="#rule-{_E(violation.code)}">{_E(violation.code)}</a> {_E(violation.name)}</td>'
            f'<td><span class="badge {violation.severity.value}">{violation.severity.value}</span></td>'
            f"<td>{_E(violation.message)}</td><td>{snippet}</td></tr>")


def _card(report: FileReport, span: int) -> str:
    totals = report.totals
    per_hour = report.billed_per_hour
    cost = (f"${report.cost_usd:,.2f}" if report.cost_usd is not None
            else "not billed" if report.kind == "validation" else "per training hour" if per_hour else "-")
    facts = [("kind", report.kind), ("format", report.format or "-"), ("model", report.model.id),
             ("examples", f"{totals.examples:,} ({totals.valid:,} valid, {totals.counted:,} counted)"),
             ("tokens", f"{totals.tokens:,}" if report.tokens_counted else "not counted"),
             ("billed tokens", "n/a (billed per hour)" if per_hour else f"{totals.billed:,}"),
             ("epochs", str(report.epochs or "-")),
             ("estimated cost", cost)]
    if totals.over_limit:
        facts.insert(5, ("over the limit", f"{totals.over_limit:,} example(s)"))
    rows = "".join(f"<dt>{_E(k)}</dt><dd>{_E(v)}</dd>" for k, v in facts)
    return (f'<article class="card"><h3>{_E(report.path)}</h3>{_badges(report.counts)}<dl>{rows}</dl>'
            f"{_histogram(report, span)}</article>")


def _span(report: FileReport) -> int:
    """How many power-of-two bins a file's histogram needs: its examples and its model's limit."""
    histogram = report.totals.tokens_histogram
    limit = report.model.training_context or 1
    return max(len(log2_bins(histogram)), limit.bit_length()) if histogram else 0


_HEIGHT, _MIN_BAR = 60, 3  # a bin with one example among thousands still shows


def _histogram(report: FileReport, span: int) -> str:
    """Tokens per example in power-of-two bins on the run's shared x-axis, the model's training
    context as a red line, and bins above it in red."""
    histogram = report.totals.tokens_histogram
    if not histogram:
        return ""
    limit = report.model.training_context
    bins = log2_bins(histogram)
    unknown = limit is None
    limit = limit or 2 ** len(bins)  # no known context: nothing is drawn as over it
    width = max(span, _span(report))
    peak = max(bins) or 1
    bar = 300 / width

    def rect(i: int, count: int) -> str:
        height = max(count / peak * _HEIGHT, _MIN_BAR)
        over = 2 ** i > limit
        return (f'<rect x="{i * bar:.1f}" y="{_HEIGHT - height:.1f}" width="{max(bar - 1, 0.5):.1f}" '
                f'height="{height:.1f}" fill="{"#c62828" if over else "#4a78c2"}"><title>{2 ** i:,}-'
                f"{2 ** (i + 1) - 1:,} tokens: {count:,} examples{' (over the limit)' if over else ''}</title></rect>")

    rects = "".join(rect(i, count) for i, count in enumerate(bins) if count)
    x = limit.bit_length() - 1 + (limit / 2 ** (limit.bit_length() - 1) - 1)
    line = "" if unknown else (f'<line x1="{x * bar:.1f}" x2="{x * bar:.1f}" y1="0" y2="{_HEIGHT}" '
                               f'stroke="#c62828" stroke-width="2"><title>training context: {limit:,} tokens'
                               "</title></line>")
    stats = describe(histogram) or {}
    over = f"; {report.totals.over_limit:,} over the limit (red)" if report.totals.over_limit else ""
    caption = (f"tokens per example (log2 bins): p50 {stats.get('p50', 0):,.0f}, p95 {stats.get('p95', 0):,.0f}, "
               f"max {stats.get('max', 0):,.0f}; red line: {limit:,}-token limit{over}")
    return (f'<svg role="img" aria-label="{_E(caption)}" viewBox="0 0 300 78" width="100%" height="78">'
            f'{rects}{line}<text x="0" y="76">1</text><text x="300" y="76" text-anchor="end">'
            f"{2 ** width:,}</text></svg><div class=\"muted\">{_E(caption)}</div>")
