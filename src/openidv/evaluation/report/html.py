"""Self-contained HTML report rendered from a result's JSON form.

The page needs nothing from the network: figures are inline SVG, styles are inline, and the full
JSON result is embedded (``<script type="application/json" id="openidv-result">``) so the numbers
on screen and the machine-readable numbers are the same object. A tiny inline script marks the
document (``data-report-rendered="ok"``) once every figure has laid out, which the headless-browser
test checks. Every string from the data is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from openidv.evaluation.report import plots

NOT_METRICS = {
    "schema",
    "kind",
    "tool",
    "openidv_version",
    "manifest",
    "settings",
    "counts",
    "slices",
    "warnings",
    "curves",
    "histograms",
    "threshold",
    "checks",
    "passed",
    "candidate",
    "champion",
    "targets",
    "threshold_set",
    "evaluation",
}
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1180px;
color:#1d232a;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde;
padding-bottom:.2rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
td,th{border:1px solid #d6dae0;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.warn{background:#fff4e0;border-left:4px solid #e08a00;padding:.5rem 1rem;margin:.5rem 0}
.fail{color:#b00020;font-weight:600}.pass{color:#137333;font-weight:600}
.figs{display:flex;flex-wrap:wrap;gap:1rem}.fig{border:1px solid #e3e6ea;padding:.4rem}
.fig svg{max-width:100%;height:auto}code{font-size:.85rem;word-break:break-all}.muted{color:#667}
"""
MARKER_JS = """
window.addEventListener('load',function(){var s=document.querySelectorAll('.fig svg'),n=0;
s.forEach(function(e){var b=e.getBoundingClientRect();if(b.width>0&&b.height>0){n++;}});
var r=document.getElementById('openidv-result');var ok=false;try{JSON.parse(r.textContent);ok=true;}catch(x){}
document.documentElement.setAttribute('data-figures',String(n));
document.documentElement.setAttribute('data-report-rendered',(ok&&n===s.length&&n>0)?'ok':'incomplete');});
"""


def fmt(x: Any) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.6g}"
    return escape(str(x))


def table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{fmt(c)}</td>"
            if isinstance(c, int | float) and not isinstance(c, bool)
            else f"<td>{fmt(c)}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def metric_rows(data: Mapping[str, Any], prefix: str = "") -> Iterator[list[Any]]:
    """Flatten every ``{value, ci_low, ci_high}`` object into a table row."""
    for key, val in data.items():
        if (not prefix and key in NOT_METRICS) or not isinstance(val, Mapping):
            continue
        name = f"{prefix}{key}"
        if "value" in val and "ci_low" in val:
            extra = ", ".join(f"{k}={fmt(v)}" for k, v in val.items() if k not in ("value", "ci_low", "ci_high"))
            yield [name, val["value"], val["ci_low"], val["ci_high"], extra]
        else:
            yield from metric_rows(val, name + " / ")


def provenance(data: Mapping[str, Any]) -> str:
    man = data.get("manifest") or {}
    settings = data.get("settings") or {}
    model = man.get("model") or {}
    rows = [
        ["kind", data.get("kind")],
        ["tool", data.get("tool")],
        ["openidv", data.get("openidv_version")],
        ["score file", man.get("path")],
        ["sha256", man.get("sha256")],
        ["set sha256", man.get("set_sha256")],
        ["rows", man.get("n_rows")],
        ["model", model.get("name")],
        ["model version", model.get("version")],
    ]
    champion = (data.get("champion") or {}).get("manifest") or {}
    if champion:
        champ_model = champion.get("model") or {}
        rows += [
            ["champion file", champion.get("path")],
            ["champion sha256", champion.get("sha256")],
            ["champion model", " ".join(str(v) for v in champ_model.values()) or None],
        ]
    if settings.get("threshold_set"):
        ts = settings["threshold_set"]
        rows.append(["threshold set", f"{ts.get('name')} {ts.get('version')} [{ts.get('key')}]"])
    thr = data.get("threshold")
    if isinstance(thr, Mapping):
        rows.append(["operating threshold", f"{fmt(thr.get('value'))} ({fmt(thr.get('rule'))})"])
    boot = settings.get("bootstrap") or {}
    if boot:
        rows.append(
            [
                "intervals",
                f"{fmt(boot.get('ci_level'))} {fmt(boot.get('interval'))}, "
                f"{fmt(boot.get('n_boot'))} {fmt(boot.get('method'))} replicates over subjects, "
                f"identity weighting {fmt(boot.get('identity_weighting'))}",
            ]
        )
    rows.append(["score direction", settings.get("score_direction")])
    return table(["field", "value"], [r for r in rows if r[1] is not None])


def figures(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(caption, svg) for every figure the result supports."""
    out: list[tuple[str, str]] = []
    curves = data.get("curves") or {}
    axes = curves.get("axes") or {"false_accept": "false accept", "false_reject": "false reject"}
    if curves.get("det"):
        if curves.get("det_champion"):
            lines = {"candidate": curves["det"], "champion": curves["det_champion"]}
        else:
            lines = {"overall": curves["det"], **(curves.get("det_per_species") or {})}
        out.append(("DET curve", plots.det_svg(lines, axes["false_accept"], axes["false_reject"])))
    if curves.get("pr"):
        out.append(("Precision-recall", plots.pr_svg(curves["pr"]["recall"], curves["pr"]["precision"])))
    hist = data.get("histograms") or {}
    if hist.get("edges"):
        out.append(
            (
                "Score distributions",
                plots.histogram_svg(hist["edges"], hist["counts"], "Scores per class / species"),
            )
        )
    return out


def slices_html(slices: Mapping[str, Any]) -> str:
    parts = []
    for attr, block in slices.items():
        rates = block.get("rates", {})
        metrics = list(next(iter(rates.values()), {}).keys()) if rates else []
        rows = [
            [value, block.get("sizes", {}).get(value)]
            + [f"{fmt(r[m]['value'])} [{fmt(r[m]['ci_low'])}, {fmt(r[m]['ci_high'])}]" for m in metrics]
            for value, r in rates.items()
        ]
        parts.append(f"<h3>{escape(attr)}</h3>" + table(["slice", "rows", *metrics], rows))
        diffs = list(metric_rows(block.get("differentials", {})))
        if diffs:
            parts.append(table(["differential", "value", "ci_low", "ci_high", "detail"], diffs))
    return "".join(parts)


def checks_html(data: Mapping[str, Any]) -> str:
    rows = [
        [
            c.get("metric"),
            "pass" if c.get("passed") else "FAIL",
            c.get("champion"),
            c.get("candidate"),
            c.get("diff"),
            c.get("diff_ci_low"),
            c.get("diff_ci_high"),
            c.get("reason"),
        ]
        for c in data.get("checks", [])
    ]
    verdict = "<p class='pass'>PASSED</p>" if data.get("passed") else "<p class='fail'>REGRESSION</p>"
    return verdict + table(
        ["metric", "result", "champion", "candidate", "diff", "diff ci_low", "diff ci_high", "reason"], rows
    )


def render_html(data: Mapping[str, Any], title: str | None = None) -> str:
    """The full report page for a result dict (run, tune or gate)."""
    kind = str(data.get("kind", "evaluation"))
    title = title or f"OpenIDV evaluation report: {kind}"
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p class='muted'>generated {datetime.now(UTC).isoformat(timespec='seconds')}</p>",
        "<h2>What was measured</h2>",
        provenance(data),
    ]
    body += [f"<div class='warn'>{escape(str(w))}</div>" for w in data.get("warnings", [])]
    if "checks" in data:
        body += ["<h2>Regression gate</h2>", checks_html(data)]
    rows = list(metric_rows(data))
    if rows:
        body += ["<h2>Metrics</h2>", table(["metric", "value", "ci_low", "ci_high", "detail"], rows)]
    figs = figures(data)
    if figs:
        body.append("<h2>Figures</h2><div class='figs'>")
        body += [f"<div class='fig'><div class='muted'>{escape(cap)}</div>{svg}</div>" for cap, svg in figs]
        body.append("</div>")
    if data.get("slices"):
        body += ["<h2>Slices</h2>", slices_html(data["slices"])]
    if data.get("counts"):
        body += [
            "<h2>Counts</h2>",
            table(
                ["count", "value"],
                [[k, json.dumps(v) if isinstance(v, Mapping) else v] for k, v in data["counts"].items()],
            ),
        ]
    payload = json.dumps(data, allow_nan=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{''.join(body)}"
        f"<script type='application/json' id='openidv-result'>{payload}</script>"
        f"<script>{MARKER_JS}</script></body></html>"
    )


def write_html(data: Mapping[str, Any], path: Path, title: str | None = None) -> None:
    path.write_text(render_html(data, title), encoding="utf-8")
