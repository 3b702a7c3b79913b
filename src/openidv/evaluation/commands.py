"""What the ``openidv eval`` commands do, separated from option parsing (testable without typer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openidv.evaluation.bootstrap import BootstrapConfig
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.result import EvaluationResult, write_json

Say = Callable[[str], None]
HEADLINES: Mapping[str, Sequence[str]] = {
    "verification": ("eer", "fnmr_at_fmr"),
    "pad": ("apcer_max", "bpcer", "bpcer_at_apcer", "apcer_per_species"),
    "classifier": ("auroc", "auprc", "recall_at_fpr"),
    "identification": ("fnir_at_fpir", "cmc"),
}


def run(
    *,
    kind: str | None,
    scores: Path,
    json_out: Path | None,
    html_out: Path | None,
    threshold: float | None,
    thresholds: Path | None,
    threshold_key: str | None,
    slice_by: Sequence[str],
    model: Mapping[str, Any],
    config: BootstrapConfig,
    direction: str,
    say: Say,
) -> EvaluationResult:
    """``openidv eval run``."""
    from openidv.evaluation.api import evaluate, threshold_from_file
    from openidv.evaluation.manifest import set_fingerprint
    from openidv.evaluation.scores import load_scores

    say(f"loading {scores}")
    data = load_scores(scores, kind, score_direction=direction)
    say(f"{data.n_rows:,} rows, {data.n_subjects:,} subjects, kind {data.kind}, sha256 {_short(data)}")
    source = None
    if thresholds is not None:
        if threshold is not None:
            raise EvaluationInputError("pass --threshold or --thresholds, not both")
        threshold, source = threshold_from_file(thresholds, threshold_key, direction)
    elif threshold is not None and direction == "higher_is_attack":
        threshold = -threshold
    result = evaluate(
        data, kind, threshold=threshold, config=config, slice_by=slice_by, model=model, progress=say
    )
    result.tool = "openidv eval run"
    result.manifest = dict(result.manifest or {}) | {"set_sha256": set_fingerprint(data)}
    if source is not None:
        result.settings["threshold_set"] = source
    emit(result.to_dict(), json_out, html_out, say)
    if str(json_out) != "-":
        print(summary(result.to_dict()))
    return result


def emit(data: Mapping[str, Any], json_out: Path | None, html_out: Path | None, say: Say) -> None:
    """Write the JSON and/or HTML forms of a result."""
    if json_out is not None:
        write_json(data, json_out)
        if str(json_out) != "-":
            say(f"wrote {json_out}")
    if html_out is not None:
        from openidv.evaluation.report.html import write_html

        write_html(data, html_out)
        say(f"wrote {html_out}")


def summary(data: Mapping[str, Any]) -> str:
    """A few human-readable lines: the headline metrics with their intervals."""
    lines = [f"{data.get('kind')}: {data.get('counts', {}).get('rows', '?')} rows"]
    for key in HEADLINES.get(str(data.get("kind")), ()):
        value = data.get(key)
        if isinstance(value, Mapping) and "value" in value:
            lines.append(f"  {key:<22} {fmt_estimate(value)}")
        elif isinstance(value, Mapping):
            for sub, est in value.items():
                lines.append(f"  {key + '[' + sub + ']':<22} {fmt_estimate(est)}")
    lines += [f"  warning: {w}" for w in data.get("warnings", [])]
    return "\n".join(lines)


def fmt_estimate(est: Mapping[str, Any]) -> str:
    def f(x: Any) -> str:
        return "n/a" if x is None else f"{x:.4g}"

    return f"{f(est.get('value'))}  [{f(est.get('ci_low'))}, {f(est.get('ci_high'))}]"


def _short(data: Any) -> str:
    return data.manifest.sha256[:12] if data.manifest else "-"
