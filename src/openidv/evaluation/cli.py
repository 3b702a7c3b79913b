"""``openidv eval``: run, tune, gate, report, manifest.

Exit codes (others script against them): 0 success; 1 a gate found a regression or no threshold
meets the targets; 2 bad input (missing column, unknown label, empty file, bad option), printed as
one ``error: ...`` line on stderr, never a traceback. Progress goes to stderr; ``--quiet`` silences it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from openidv.errors import OpenIDVError

app = typer.Typer(
    name="eval",
    help="Evaluate detectors: metrics with subject-bootstrap CIs, threshold tuning, gate, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class KindOpt(StrEnum):
    verification = "verification"
    pad = "pad"
    classifier = "classifier"
    identification = "identification"


class DirectionOpt(StrEnum):
    higher_is_genuine = "higher-is-genuine"
    higher_is_attack = "higher-is-attack"


class MethodOpt(StrEnum):
    multinomial = "multinomial"
    poisson = "poisson"


@contextmanager
def handled() -> Iterator[None]:
    """Bad input -> one line on stderr and exit 2; infeasible targets -> exit 1."""
    from openidv.evaluation.errors import TargetsInfeasible

    try:
        yield
    except TargetsInfeasible as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        raise typer.Exit(1) from None
    except OpenIDVError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        raise typer.Exit(2) from None


def progress_printer(quiet: bool) -> Callable[[str], None]:
    start = time.perf_counter()

    def say(msg: str) -> None:
        if not quiet:
            print(f"[eval {time.perf_counter() - start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    return say


def direction(score_direction: DirectionOpt, higher_is_attack: bool) -> str:
    return (
        "higher_is_attack"
        if higher_is_attack or score_direction is DirectionOpt.higher_is_attack
        else "higher_is_genuine"
    )


def config_from(n_boot: int, ci_level: float, seed: int, method: MethodOpt, row_weighting: bool) -> Any:
    from openidv.evaluation.bootstrap import BootstrapConfig
    from openidv.evaluation.errors import EvaluationInputError

    if n_boot < 0 or not 0.5 <= ci_level < 1.0 or seed < 0:
        raise EvaluationInputError("--bootstrap and --seed must be >= 0 and --ci-level in [0.5, 1)")
    return BootstrapConfig(
        n_boot=n_boot, ci_level=ci_level, seed=seed, method=method.value, identity_weighting=not row_weighting
    )


# Shared options (module-level so every command spells them the same way).
KIND = typer.Option(None, "--kind", help="verification | pad | classifier | identification (default: from labels).")
SCORES = typer.Option(..., "--scores", help="Score file (CSV or Parquet).")
JSON_OUT = typer.Option(None, "--json", help="Write the JSON result here ('-' for stdout).")
HTML_OUT = typer.Option(None, "--html", help="Write a self-contained HTML report here.")
N_BOOT = typer.Option(200, "--bootstrap", help="Bootstrap replicates (0: no intervals).")
CI_LEVEL = typer.Option(0.95, "--ci-level", help="Two-sided confidence level of the intervals.")
SEED = typer.Option(0, "--seed", help="Bootstrap seed (same seed, same replicates).")
METHOD = typer.Option(MethodOpt.multinomial, "--bootstrap-method", help="Subject weights: multinomial | poisson.")
ROW_W = typer.Option(False, "--row-weighting", help="Count every row once instead of every subject once.")
DIRECTION = typer.Option(DirectionOpt.higher_is_genuine, "--score-direction", help="Score convention.")
HIA = typer.Option(False, "--higher-is-attack", help="Shorthand for --score-direction higher-is-attack.")
QUIET = typer.Option(False, "--quiet", "-q", help="No progress on stderr.")
SLICE_BY = typer.Option([], "--slice-by", help="Attribute column for slice differentials (repeatable).")


@app.command("run")
def run(
    kind: KindOpt = KIND,
    scores: Path = SCORES,
    json_out: Path = JSON_OUT,
    html_out: Path = HTML_OUT,
    threshold: float = typer.Option(None, "--threshold", help="Operating threshold (score units)."),
    thresholds: Path = typer.Option(None, "--thresholds", help="Threshold-set file for the operating threshold."),
    threshold_key: str = typer.Option(None, "--threshold-key", help="Key in --thresholds (if several)."),
    slice_by: list[str] = SLICE_BY,
    model: str = typer.Option(None, "--model", help="Model name recorded in the report."),
    model_version: str = typer.Option(None, "--model-version", help="Model version recorded in the report."),
    n_boot: int = N_BOOT,
    ci_level: float = CI_LEVEL,
    seed: int = SEED,
    method: MethodOpt = METHOD,
    row_weighting: bool = ROW_W,
    score_direction: DirectionOpt = DIRECTION,
    higher_is_attack: bool = HIA,
    quiet: bool = QUIET,
) -> None:
    """Evaluate a score file: metrics with CIs as JSON (and HTML)."""
    with handled():
        from openidv.evaluation import commands

        say = progress_printer(quiet or str(json_out) == "-")
        commands.run(
            kind=kind.value if kind else None,
            scores=scores,
            json_out=json_out,
            html_out=html_out,
            threshold=threshold,
            thresholds=thresholds,
            threshold_key=threshold_key,
            slice_by=slice_by,
            model={k: v for k, v in (("name", model), ("version", model_version)) if v},
            config=config_from(n_boot, ci_level, seed, method, row_weighting),
            direction=direction(score_direction, higher_is_attack),
            say=say,
        )


@app.command("tune")
def tune(
    kind: KindOpt = KIND,
    scores: Path = SCORES,
    target: list[str] = typer.Option(..., "--target", help="e.g. 'fmr<=1e-4', 'apcer<=0.01' (repeatable)."),
    out: Path = typer.Option(None, "--out", help="Write the threshold set (YAML, or JSON for .json)."),
    name: str = typer.Option(None, "--name", help="Threshold-set name (default: --out file stem)."),
    version: str = typer.Option(None, "--version", help="Set version (default: YYYY-MM-DD.N, bumped)."),
    key: str = typer.Option(None, "--key", help="Value key (default: match | bona_fide | review)."),
    conservative: bool = typer.Option(False, "--conservative", help="Meet targets at the CI level."),
    json_out: Path = JSON_OUT,
    html_out: Path = HTML_OUT,
    n_boot: int = N_BOOT,
    ci_level: float = CI_LEVEL,
    seed: int = SEED,
    method: MethodOpt = METHOD,
    row_weighting: bool = ROW_W,
    score_direction: DirectionOpt = DIRECTION,
    higher_is_attack: bool = HIA,
    quiet: bool = QUIET,
) -> None:
    """Choose the threshold meeting every target; write a versioned threshold set."""
    with handled():
        from openidv.evaluation import commands

        commands.tune(
            kind=kind.value if kind else None,
            scores=scores,
            targets=target,
            out=out,
            name=name,
            version=version,
            key=key,
            conservative=conservative,
            json_out=json_out,
            html_out=html_out,
            config=config_from(n_boot, ci_level, seed, method, row_weighting),
            direction=direction(score_direction, higher_is_attack),
            say=progress_printer(quiet or str(json_out) == "-"),
        )


@app.command("gate")
def gate(
    kind: KindOpt = KIND,
    candidate: Path = typer.Option(..., "--candidate", help="Candidate score file."),
    champion: Path = typer.Option(..., "--champion", help="Champion score file (same evaluation set)."),
    candidate_thresholds: Path = typer.Option(None, "--candidate-thresholds", help="Candidate threshold set."),
    champion_thresholds: Path = typer.Option(None, "--champion-thresholds", help="Champion threshold set."),
    threshold_key: str = typer.Option(None, "--threshold-key", help="Key in the threshold sets."),
    metric: list[str] = typer.Option([], "--metric", help="Gated metric path/glob (repeatable)."),
    slice_by: list[str] = SLICE_BY,
    tolerance: float = typer.Option(0.0, "--tolerance", help="Allowed absolute worsening beyond the CI."),
    json_out: Path = JSON_OUT,
    html_out: Path = HTML_OUT,
    n_boot: int = N_BOOT,
    ci_level: float = CI_LEVEL,
    seed: int = SEED,
    method: MethodOpt = METHOD,
    row_weighting: bool = ROW_W,
    score_direction: DirectionOpt = DIRECTION,
    higher_is_attack: bool = HIA,
    quiet: bool = QUIET,
) -> None:
    """Compare candidate with champion; exit 1 when a gated metric is worse beyond its CI."""
    with handled():
        from openidv.evaluation import commands

        passed = commands.gate(
            kind=kind.value if kind else None,
            candidate=candidate,
            champion=champion,
            thresholds=(candidate_thresholds, champion_thresholds),
            threshold_key=threshold_key,
            metrics=metric,
            slice_by=slice_by,
            tolerance=tolerance,
            json_out=json_out,
            html_out=html_out,
            config=config_from(n_boot, ci_level, seed, method, row_weighting),
            direction=direction(score_direction, higher_is_attack),
            say=progress_printer(quiet or str(json_out) == "-"),
        )
    if not passed:
        raise typer.Exit(1)


@app.command("report")
def report(
    html_out: Path = typer.Option(..., "--html", help="HTML report to write."),
    result: Path = typer.Option(None, "--result", help="A saved JSON result (run, tune or gate)."),
    scores: Path = typer.Option(None, "--scores", help="Or: evaluate this score file now."),
    kind: KindOpt = KIND,
    json_out: Path = JSON_OUT,
    slice_by: list[str] = SLICE_BY,
    title: str = typer.Option(None, "--title", help="Report title."),
    n_boot: int = N_BOOT,
    seed: int = SEED,
    score_direction: DirectionOpt = DIRECTION,
    higher_is_attack: bool = HIA,
    quiet: bool = QUIET,
) -> None:
    """Render an HTML report from a saved result, or evaluate a score file and render it."""
    with handled():
        from openidv.evaluation import commands
        from openidv.evaluation.errors import EvaluationInputError

        say = progress_printer(quiet)
        if (result is None) == (scores is None):
            raise EvaluationInputError("pass exactly one of --result and --scores")
        if result is not None:
            commands.report(result_json=result, html_out=html_out, title=title, say=say)
            return
        commands.run(
            kind=kind.value if kind else None,
            scores=scores,
            json_out=json_out,
            html_out=html_out,
            threshold=None,
            thresholds=None,
            threshold_key=None,
            slice_by=slice_by,
            model={},
            config=config_from(n_boot, 0.95, seed, MethodOpt.multinomial, False),
            direction=direction(score_direction, higher_is_attack),
            say=say,
        )


@app.command("manifest")
def manifest(
    scores: Path = SCORES,
    model: str = typer.Option(None, "--model", help="Model name that produced the scores."),
    model_version: str = typer.Option(None, "--model-version", help="Its version."),
) -> None:
    """Write <scores>.manifest.json (file SHA-256 and model identity) next to a score file."""
    with handled():
        from openidv.evaluation.errors import EvaluationInputError
        from openidv.evaluation.manifest import write_sidecar

        if not scores.is_file():
            raise EvaluationInputError(f"score file {scores} does not exist")
        info = {k: v for k, v in (("name", model), ("version", model_version)) if v}
        print(write_sidecar(scores, info))
