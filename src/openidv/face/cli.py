"""``openidv face ...``: evaluate pairs, compare two photos, manage the watch list."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(name="face", help="Face biometrics: pair evaluation, comparison, watch list.", no_args_is_help=True)


def _match_threshold() -> tuple[float, str]:
    from openidv.policy.thresholds import ThresholdRegistry

    ts = ThresholdRegistry.load().get("face_match")
    return ts["match"], f"{ts.name}@{ts.version}"


def pair_rows(root: Path, pairs_file: Path, cache: Path | None, upsample: int) -> tuple[list[dict[str, Any]], Any]:
    """Score every pair: rows for the CSV, and the parsed pairs (for the protocol)."""
    from openidv.face.corpus import STATUS_NAMES, STATUS_OK, embed_corpus
    from openidv.face.embedding import default_embedder, similarity
    from openidv.face.lfw import image_path, read_pairs
    from openidv.face.matching import shipped_calibration

    pairs = read_pairs(pairs_file)
    rel = sorted({f"{n}/{image_path(Path(), n, i).name}" for p in pairs for n, i in ((p.name1, p.i), (p.name2, p.j))})
    corpus = embed_corpus(root, rel, cache, upsample=upsample)
    embedder = default_embedder()
    emb = corpus.embeddings(embedder.tta)
    where = corpus.index()
    cal = shipped_calibration()
    threshold, _ = _match_threshold()
    rows = []
    for p in pairs:
        a = where[f"{p.name1}/{image_path(Path(), p.name1, p.i).name}"]
        b = where[f"{p.name2}/{image_path(Path(), p.name2, p.j).name}"]
        row: dict[str, Any] = {"name1": p.name1, "i": p.i, "name2": p.name2, "j": p.j}
        bad = [int(corpus.status[k]) for k in (a, b) if corpus.status[k] != STATUS_OK]
        if bad:
            row |= {"score": "", "decision": STATUS_NAMES[max(bad)]}
        else:
            sim = float(similarity(emb[a], emb[b], embedder.metric)[0])
            row |= {"score": f"{sim:.6f}", "decision": "match" if cal.score(sim) >= threshold else "no_match"}
        rows.append(row)
    return rows, pairs


SCORE_COLUMNS = ["sample_id", "subject_id", "label", "species", "score", "subject_id_2", "failure", "fold"]


def write_score_file(rows: list[dict[str, Any]], parsed: Any, path: Path) -> None:
    """The pairs in the evaluation layer's score-file format (docs/evaluation.md), one row per pair.

    subject_id / subject_id_2 are the two people (identical for a genuine pair), so the bootstrap
    resamples impostor pairs by both; a pair without a face has an empty score and failure ``fta``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SCORE_COLUMNS)
        writer.writeheader()
        for k, (r, p) in enumerate(zip(rows, parsed, strict=True)):
            writer.writerow(
                {
                    "sample_id": f"pair{k:05d}:{p.name1}_{p.i:04d}:{p.name2}_{p.j:04d}",
                    "subject_id": p.name1,
                    "label": "genuine" if p.mated else "impostor",
                    "species": "",
                    "score": r["score"],
                    "subject_id_2": p.name2,
                    "failure": "" if r["score"] != "" else "fta",
                    "fold": p.fold,
                }
            )


@app.command("eval-pairs")
def eval_pairs(
    root: Path = typer.Option(..., "--root", exists=True, file_okay=False, help="LFW layout: DIR/Name/Name_0001.jpg"),
    pairs: Path = typer.Option(..., "--pairs", exists=True, dir_okay=False, help="Pairs file (LFW format)."),
    out: Path = typer.Option(..., "--out", help="CSV: name1,i,name2,j,score,decision"),
    cache: Path = typer.Option(None, "--cache", help="Embedding cache folder (resumable); none by default."),
    upsample: int = typer.Option(1, "--upsample", min=0, max=3, help="Face-detector upsampling."),
    json_out: Path = typer.Option(None, "--json", help="Also write the protocol result as JSON."),
    scores_out: Path = typer.Option(
        None, "--scores", help="Also write the pairs as an evaluation-layer score file (for `openidv eval run`)."
    ),
) -> None:
    """Score every pair (1 - embedding distance: higher = same person); print the 10-fold protocol accuracy."""
    from openidv.face.lfw import protocol_accuracy

    rows, parsed = pair_rows(root, pairs, cache, upsample)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name1", "i", "name2", "j", "score", "decision"])
        writer.writeheader()
        writer.writerows(rows)
    if scores_out is not None:
        write_score_file(rows, parsed, scores_out)
    failed = [r for r in rows if r["score"] == ""]
    if failed:
        kinds = {d: sum(r["decision"] == d for r in failed) for d in sorted({r["decision"] for r in failed})}
        print(f"{len(failed)} of {len(rows)} pairs have no score: {kinds}", file=sys.stderr)
    res = protocol_accuracy([float(r["score"]) if r["score"] != "" else None for r in rows], parsed)
    _threshold, tset = _match_threshold()
    scored = [(r, p) for r, p in zip(rows, parsed, strict=True) if r["score"] != ""]
    at_shipped = sum((r["decision"] == "match") == p.mated for r, p in scored) / max(len(rows), 1)
    summary = res.as_dict() | {"pairs": len(rows), "accuracy_at_shipped_threshold": at_shipped, "threshold_set": tset}
    folds = len({p.fold for p in parsed})
    typer.echo(
        f"protocol accuracy {100 * res.accuracy:.2f}% (s.e. {100 * res.std_error:.2f}%, {folds} folds,"
        f" {len(rows)} pairs, {res.unscored} unscored); at the shipped threshold {100 * at_shipped:.2f}%"
    )
    if json_out is not None:
        json_out.write_text(json.dumps(summary, indent=2), encoding="utf-8")


def _load(path: Path) -> tuple[Any, str | None]:
    from openidv.errors import OpenIDVError
    from openidv.imaging.decode import decode_image

    try:
        return decode_image(path.read_bytes()).rgb, None
    except (OSError, OpenIDVError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def compare_images(a: Path, b: Path) -> dict[str, Any]:
    """Quality-checked 1:1 comparison of two image files, as the face_match check would do it."""
    from openidv.face.analysis import analyse
    from openidv.face.embedding import default_embedder, similarity
    from openidv.face.matching import shipped_calibration
    from openidv.policy.thresholds import ThresholdRegistry

    reg = ThresholdRegistry.load()
    images, errors = [], {}
    for name, path in (("a", a), ("b", b)):
        rgb, err = _load(path)
        if err:
            errors[name] = err
        else:
            images.append((name, "portrait", rgb))
    if errors:
        return {"decision": "unreadable", "errors": errors}
    found = analyse(images, reg.get("face_quality"))
    result: dict[str, Any] = {"faces": {f.source: f.evidence() for f in found}}
    if any(f.sample is None for f in found):
        return result | {"decision": "no_face"}
    if not all(f.usable for f in found):
        result["decision"] = "quality_too_low"
    fa, fb = found
    if fa.embedding is None or fb.embedding is None:
        return result
    cal, t = shipped_calibration(), reg.get("face_match")
    sim = float(similarity(fa.embedding, fb.embedding, default_embedder().metric)[0])
    score = cal.score(sim)
    verdict = "match" if score >= t["match"] else "review" if score >= t["review"] else "no_match"
    return result | {
        "decision": result.get("decision", verdict),
        "similarity": round(sim, 5),
        "score": round(score, 4),
        "estimated_fmr": float(f"{cal.fmr(sim):.3g}"),
        "threshold_set": f"{t.name}@{t.version}",
        "thresholds": dict(t.values),
    }


@app.command("compare")
def compare(
    image_a: Path = typer.Argument(..., exists=True, dir_okay=False),
    image_b: Path = typer.Argument(..., exists=True, dir_okay=False),
) -> None:
    """Compare two face photos; print JSON (decision, similarity, calibrated score, estimated FMR, quality)."""
    out = compare_images(image_a, image_b)
    typer.echo(json.dumps(out, indent=2))
    if out.get("decision") in ("unreadable", "no_face"):
        raise typer.Exit(1)


@app.command("watchlist-add")
def watchlist_add(
    session_id: str = typer.Argument(..., help="A session whose approved face template to watch for."),
    label: str = typer.Option(..., "--label", help="Short non-personal label shown to reviewers on a hit."),
) -> None:
    """Put an enrolled session's face on the watch list (needs the database)."""
    from openidv.face.plugin import TEMPLATE_KIND, WATCHLIST_KIND, model_key
    from openidv.runtime import Runtime

    rt = Runtime.build(with_store=True)
    try:
        assert rt.env.signals is not None
        sigs = [s for s in rt.env.signals.for_session(session_id, TEMPLATE_KIND) if s.value is not None]
        if not sigs:
            typer.echo(json.dumps({"error": f"session {session_id} has no enrolled face template"}), err=True)
            raise typer.Exit(1)
        attrs = {"model": sigs[0].attrs.get("model", model_key()), "label": label[:64]}
        rt.env.signals.put(session_id, WATCHLIST_KIND, model_key(), value=sigs[0].value, attrs=attrs)
        typer.echo(json.dumps({"watchlisted": session_id, "label": label[:64]}))
    finally:
        rt.close()
