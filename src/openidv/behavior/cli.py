"""``openidv behavior ...``: convert mouse recordings, score telemetry or recordings from files.

    openidv behavior import-mouse-csv session_1 session_2 --out telemetry/
    openidv behavior score telemetry/*.json recordings/session_*

``score`` prints one JSON object per file (JSON Lines) with at least ``bot_score`` (higher = more
likely a bot; null when there is too little pointer movement to judge) and ``decision`` (``human``,
``bot`` or ``review``) at the shipped thresholds, whose name and version are in ``thresholds``.
A file that cannot be read gives an object with ``error`` instead, and the exit status is 1.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from openidv.errors import OpenIDVError, ValidationFailed

app = typer.Typer(name="behavior", help="Capture-session intelligence: bot and device scoring.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 32  # telemetry nests three levels; the service refuses deeper bodies alike


def _emit(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, separators=(",", ":"), default=float))


def load_input(path: Path) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
    """(telemetry, kind, row counts of a CSV) from a telemetry JSON file or a Balabit-layout CSV."""
    from openidv.behavior.balabit import is_balabit_csv, parse_balabit_counted, to_telemetry
    from openidv.service.jsonguard import parse_json

    if not path.is_file():
        raise ValidationFailed(f"{path}: no such file")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ValidationFailed(f"{path.name}: larger than {MAX_JSON_BYTES // 2**20} MiB")
    text = path.read_text(encoding="utf-8", errors="replace")
    if is_balabit_csv(text[:201]):
        inter, counts = parse_balabit_counted(text, path.name)
        return to_telemetry(inter), "mouse_csv", counts.as_dict()
    try:
        data = parse_json(text.encode("utf-8"), MAX_JSON_DEPTH)
    except OpenIDVError as exc:  # malformed, too deep, a number too long: the service's own guard
        raise ValidationFailed(f"{path.name}: neither telemetry JSON nor a mouse CSV ({exc.detail})") from None
    if not isinstance(data, dict):
        raise ValidationFailed(f"{path.name}: telemetry must be a JSON object")
    return data, "telemetry", None


def score_file(path: Path) -> dict[str, Any]:
    from openidv.behavior.device.integrity import assess_device
    from openidv.behavior.events import parse_events
    from openidv.behavior.schema import validate_telemetry
    from openidv.behavior.scoring import assess, models, packaged_thresholds, with_device

    payload, kind, rows = load_input(path)
    problems = validate_telemetry(payload)
    if problems:
        raise ValidationFailed(f"{path.name}: telemetry does not match schema version 1", errors=problems)
    a = assess(parse_events(payload.get("events") or []), packaged_thresholds(), models())
    out: dict[str, Any] = {"file": str(path), "input": kind, **a.as_dict()}
    if rows is not None:
        out["rows"] = rows
    if payload.get("device"):
        integrity = assess_device(payload["device"], payload.get("network") or {})
        out = with_device(out, integrity.automation, integrity.inconsistent)
        out["device"] = {"risk": integrity.risk, "findings": [f.code for f in integrity.findings]}
    return out


@app.command("score")
def score(files: list[Path] = typer.Argument(..., help="Telemetry JSON files or Balabit-layout mouse CSVs.")) -> None:
    """Score each file: bot_score, anomaly_score, decision (human | bot | review) and reasons."""
    failed = False
    for path in files:
        try:
            _emit(score_file(path))
        except OpenIDVError as exc:
            failed = True
            _emit({"file": str(path), "bot_score": None, "decision": None, "error": exc.to_problem()})
    if failed:
        raise typer.Exit(1)


@app.command("import-mouse-csv")
def import_mouse_csv(
    files: list[Path] = typer.Argument(..., help="Recordings: record timestamp,client timestamp,button,state,x,y"),
    out: Path = typer.Option(None, "--out", help="Write <name>.telemetry.json files here (default: stdout)."),
    window_s: float = typer.Option(0.0, "--window-s", help="Cut each recording into windows of this many seconds."),
) -> None:
    """Convert mouse recordings into telemetry JSON (schema version 1), one object per file or window."""
    if not (window_s == 0.0 or (math.isfinite(window_s) and window_s >= 1.0)):
        raise typer.BadParameter("--window-s must be 0 (whole recordings) or a number of seconds >= 1")
    from openidv.behavior.balabit import read_balabit_counted, to_telemetry
    from openidv.behavior.events import Interaction

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    failed = False
    for path in files:
        try:
            inter, counts = read_balabit_counted(path)
        except (OpenIDVError, OSError) as exc:
            failed = True
            typer.echo(json.dumps({"file": str(path), "error": str(exc)}), err=True)
            continue
        if counts.malformed:  # converted, but say what was left out
            typer.echo(json.dumps({"file": str(path), "warning": "malformed rows skipped", "rows": counts.as_dict()}),
                       err=True)
        parts = [(path.name, inter)]
        if window_s > 0:
            m, step = inter.mouse, window_s * 1000.0
            starts = [s * step for s in range(int(m.span_ms() // step) + 1)]
            windows = [(i, s, m.window(s, s + step)) for i, s in enumerate(starts)]
            parts = [(f"{path.name}.w{i:03d}", Interaction(mouse=w.shifted(s))) for i, s, w in windows if w.n]
        for name, part in parts:
            telemetry = to_telemetry(part)
            if out is None:
                typer.echo(json.dumps(telemetry, separators=(",", ":")))
            else:
                (out / f"{name}.telemetry.json").write_text(json.dumps(telemetry, separators=(",", ":")))
    if failed:
        raise typer.Exit(1)
