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
    result = evaluate(data, kind, threshold=threshold, config=config, slice_by=slice_by, model=model, progress=say)
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


def tune(
    *,
    kind: str | None,
    scores: Path,
    targets: Sequence[str],
    out: Path | None,
    name: str | None,
    version: str | None,
    key: str | None,
    conservative: bool,
    json_out: Path | None,
    html_out: Path | None,
    config: BootstrapConfig,
    direction: str,
    say: Say,
) -> Any:
    """``openidv eval tune``: choose a threshold meeting the targets and write the threshold set."""
    from openidv.evaluation.manifest import set_fingerprint
    from openidv.evaluation.scores import load_scores
    from openidv.evaluation.tuning import default_version, tune_threshold

    say(f"loading {scores}")
    data = load_scores(scores, kind, score_direction=direction)
    result = tune_threshold(data, kind, targets, conservative=conservative, config=config, progress=say)
    result.manifest = dict(result.manifest or {}) | {"set_sha256": set_fingerprint(data)}
    if out is not None:
        previous = _existing_version(out)
        ts = result.to_threshold_set(name or out.stem, version or default_version(previous), key)
        ts.write(out)
        say(f"wrote threshold set {ts.name} {ts.version} to {out}")
    body = result.to_dict()
    emit(body, json_out, html_out, say)
    if str(json_out) != "-":
        lines = [f"threshold {body['threshold']['value']:.6g} ({result.accept_rule})"]
        lines += [
            f"  {t['target']:<22} achieved {fmt_estimate(t['achieved'] or {})}"
            f"{'' if t['met_at_ci_bound'] else '  (not at the CI bound)'}"
            for t in body["targets"]
        ]
        print("\n".join(lines + [f"  warning: {w}" for w in result.warnings]))
    return result


def _existing_version(path: Path) -> str | None:
    from openidv.errors import OpenIDVError
    from openidv.policy.thresholds import load_threshold_file

    if not path.is_file():
        return None
    try:
        return load_threshold_file(path).version
    except (OpenIDVError, ValueError):
        return None


def gate(
    *,
    kind: str | None,
    candidate: Path,
    champion: Path,
    thresholds: tuple[Path | None, Path | None],
    threshold_key: str | None,
    metrics: Sequence[str],
    slice_by: Sequence[str],
    tolerance: float,
    json_out: Path | None,
    html_out: Path | None,
    config: BootstrapConfig,
    direction: str,
    say: Say,
) -> bool:
    """``openidv eval gate``: True when the candidate is not worse on any gated metric."""
    from openidv.evaluation.api import threshold_from_file
    from openidv.evaluation.gate import GateSpec, run_gate
    from openidv.evaluation.scores import load_scores

    say(f"loading candidate {candidate} and champion {champion}")
    cand = load_scores(candidate, kind, score_direction=direction)
    champ = load_scores(champion, kind or cand.kind, score_direction=direction)
    cand_t, champ_t = (None if p is None else threshold_from_file(p, threshold_key, direction)[0] for p in thresholds)
    spec = GateSpec(
        kind=kind or cand.kind,
        metrics=list(metrics) or None,
        slice_by=list(slice_by),
        tolerance=tolerance,
        candidate_threshold=cand_t,
        champion_threshold=champ_t,
    )
    result = run_gate(cand, champ, spec, config=config, progress=say)
    emit(result.to_dict(), json_out, html_out, say)
    if str(json_out) != "-":
        verdict = "PASS" if result.passed else "REGRESSION"
        lines = [f"gate {verdict}: {len(result.checks)} metrics compared, {len(result.failures)} worse"]
        lines += [
            f"  worse: {c['metric']}: champion {c['champion']:.4g} -> candidate {c['candidate']:.4g} "
            f"(diff CI [{c['diff_ci_low']:.4g}, {c['diff_ci_high']:.4g}])"
            for c in result.failures
            if c["diff"] is not None
        ]
        lines += [f"  worse: {c['metric']}: {c['reason']}" for c in result.failures if c["diff"] is None]
        print("\n".join(lines + [f"  warning: {w}" for w in result.warnings]))
    return result.passed


def report(*, result_json: Path, html_out: Path, title: str | None, say: Say) -> None:
    """``openidv eval report``: render any saved result JSON (run, tune, gate) as HTML."""
    import json

    from openidv.evaluation.report.html import write_html

    if not result_json.is_file():
        raise EvaluationInputError(f"result file {result_json} does not exist")
    try:
        data = json.loads(result_json.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"{result_json} is not a JSON result: {exc}") from None
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith("openidv.eval."):
        raise EvaluationInputError(f"{result_json} is not an openidv eval result (no openidv.eval schema)")
    write_html(data, html_out, title)
    say(f"wrote {html_out}")
