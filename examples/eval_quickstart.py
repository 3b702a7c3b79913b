"""Evaluation layer quick start: score files -> metrics with CIs -> threshold set -> gate -> report.

    OMP_NUM_THREADS=1 .venv/bin/python examples/eval_quickstart.py [OUT_DIR]

Writes synthetic face-comparison and presentation-attack score files into OUT_DIR (default: a new
temporary folder) and runs the same steps as the CLI calls printed at the end.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from openidv.evaluation import (
    BootstrapConfig,
    GateSpec,
    evaluate,
    load_scores,
    run_gate,
    tune_threshold,
    write_html,
    write_sidecar,
)
from openidv.evaluation.synthetic import presentation_frame, verification_frame


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="openidv-eval-"))
    out.mkdir(parents=True, exist_ok=True)
    config = BootstrapConfig(n_boot=200, seed=0)

    # 1. Score files (CSV or Parquet) and the model that produced them.
    champion_df = verification_frame(300, 4, 40, fta_rate=0.005, seed=1)
    champion_df.to_csv(out / "face_champion.csv", index=False)
    write_sidecar(out / "face_champion.csv", {"name": "face-resnet", "version": "1.0"})
    noise = np.random.default_rng(2).normal(0, 0.6, len(champion_df))
    champion_df.assign(score=champion_df.score + noise).to_csv(out / "face_candidate.csv", index=False)
    presentation_frame(300, seed=3).to_parquet(out / "pad.parquet", index=False)

    # 2. Metrics with subject-bootstrap CIs, sliced by age band.
    face = load_scores(out / "face_champion.csv", "verification")
    result = evaluate(face, config=config, slice_by=["age_band"])
    eer = result.metrics["eer"]
    print(f"EER {eer.value:.4f} [{eer.ci_low:.4f}, {eer.ci_high:.4f}]")
    result.write_json(out / "face.json")
    write_html(result.to_dict(), out / "face.html")

    pad = evaluate(load_scores(out / "pad.parquet", "pad"), config=config)
    print("APCER per species:", {k: round(v.value, 4) for k, v in pad.metrics["apcer_per_species"].items()})

    # 3. A threshold set the decision engine loads.
    tuned = tune_threshold(face, "verification", ["fmr<=1e-3"], config=config)
    tuned.to_threshold_set("face_match").write(out / "face_match.yaml")
    print(f"threshold {tuned.value:.4f}; achieved FMR {tuned.achieved['fmr'].value:.5f}")

    # 4. Regression gate: the noisier candidate must fail.
    gate = run_gate(load_scores(out / "face_candidate.csv"), face, GateSpec(kind="verification"), config=config)
    print("gate passed:", gate.passed, "- worse:", [c["metric"] for c in gate.failures])
    write_html(gate.to_dict(), out / "gate.html")

    print(f"\nfiles in {out}; the same with the CLI:")
    print(
        f"  openidv eval run --kind verification --scores {out}/face_champion.csv --json r.json --html r.html "
        "--slice-by age_band"
    )
    print(
        f"  openidv eval tune --kind verification --scores {out}/face_champion.csv --target 'fmr<=1e-3' "
        "--out face_match.yaml"
    )
    print(
        f"  openidv eval gate --kind verification --candidate {out}/face_candidate.csv "
        f"--champion {out}/face_champion.csv"
    )


if __name__ == "__main__":
    main()
