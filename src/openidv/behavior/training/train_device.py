"""Estimate the device-linking parameters, tune the link thresholds, measure re-linking.

    python -m openidv.behavior.training.train_device [--json var/behavior/device_link.json]

Three generated populations with different seeds (:mod:`openidv.behavior.device.population`):
population A estimates ``m`` and the prior ``u`` of every comparison level and fits the combiner
(:func:`link_estimate.fit_combiner`); population C tunes one link threshold per form factor with
the evaluation layer (``tune_threshold``, target ``fmr <= --target-false`` at the bootstrap CI
bound, where FMR = false links over all probes, see :mod:`device_eval`); population B, never used
for fitting or tuning, gives the reported figures with subject-bootstrap CIs, overall and per
slice. Modes on B:

* ``mixed``: storage ids as browsers keep them, IP lookup table configured (ASN, country);
* ``fingerprint_only``: every storage id removed;
* ``no_ip_table``: storage ids kept, no ASN (a deployment without an IP lookup table);
* ``server_cookie``: as ``mixed``, plus the integrator's device id from an HttpOnly first-party
  cookie (telemetry ``device_id``), which Safari's 7-day storage cap does not delete.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.device.link_estimate import estimate_params, fit_combiner
from openidv.behavior.device.linking import LinkParams
from openidv.behavior.training import device_eval as de

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SEED_A, SEED_B, SEED_C = 1101, 2202, 3303
KINDS = ("desktop", "mobile")
SLICES = ("os", "storage", "continuity", "network", "gap", "hard_case", "household", "drift_none",
          *(f"drift_{t}" for t in de.DRIFT_TAGS))


def _config(a: argparse.Namespace) -> Any:
    from openidv.evaluation import BootstrapConfig

    return BootstrapConfig(n_boot=a.bootstrap, seed=a.seed)


def _score_set(rows: dict[str, Any]) -> Any:
    from openidv.evaluation import score_set_from_arrays

    return score_set_from_arrays(rows["score"], rows["positive"], rows["subject"], kind="verification",
                                 attributes=rows["attributes"])


def tune(m: de.Matches, probes: de.Probes, target: float, config: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """Per form factor, the evaluation layer's threshold for ``fmr <= target`` at the CI bound."""
    from openidv.evaluation import tune_threshold

    thresholds: dict[str, float] = {}
    report: dict[str, Any] = {}
    for kind in KINDS:
        res = tune_threshold(_score_set(de.score_arrays(m, probes, subset=kind)), "verification",
                             [f"fmr<={target}"], conservative=True, config=config)
        thresholds[kind] = float(res.threshold)
        report[kind] = {k: v.to_dict() for k, v in res.achieved.items() if k in ("fmr", "fnmr")}
        report[kind]["warnings"] = res.warnings
    return thresholds, report


def _rate(est: Any, invert: bool = False) -> dict[str, float | None]:
    """An Estimate as {value, ci_low, ci_high}; ``invert``: 1 - rate (FNMR -> re-link rate)."""
    d = est.to_dict()
    vals = {k: d.get(k) for k in ("value", "ci_low", "ci_high")}
    if invert:
        vals = {"value": None if vals["value"] is None else 1 - vals["value"],
                "ci_low": None if vals["ci_high"] is None else 1 - vals["ci_high"],
                "ci_high": None if vals["ci_low"] is None else 1 - vals["ci_low"]}
    return vals


def measure(m: de.Matches, probes: de.Probes, thresholds: dict[str, float], config: Any,
            slices: tuple[str, ...]) -> dict[str, Any]:
    """Re-link and false-link rates with CIs at the thresholds, overall and per slice."""
    from openidv.evaluation import evaluate_verification, slice_differentials

    scores = _score_set(de.score_arrays(m, probes, thresholds))
    res = evaluate_verification(scores, threshold=0.0, fmr_targets=(), config=config)
    at = res.metrics["at_threshold"]
    n_ret = sum(t is not None for t in probes.truth)
    out: dict[str, Any] = {"relinked": _rate(at["fnmr"], invert=True), "false_links": _rate(at["fmr"]),
                           "returning": n_ret, "probes": len(probes.truth),
                           "blocking_recall": float(np.mean([b for b, t in zip(m.blocked_in, probes.truth,
                                                                             strict=True) if t]))}
    sl = slice_differentials(scores, "verification", ["form", *slices], threshold=0.0, config=config)
    out["slices"] = {
        attr: {v: {"relinked": _rate(r["fnmr"], invert=True), "false_links": _rate(r["fmr"]),
                   **_counts(probes, attr, v)} for v, r in block["rates"].items()}
        for attr, block in sl.items()}
    # Point figures in the layout of earlier versions (all / desktop / mobile).
    out["all"] = {"relinked": out["relinked"]["value"], "false_links": out["false_links"]["value"],
                  "returning": n_ret, "probes": len(probes.truth)}
    for form, name in (("desktop", "desktop"), ("phone", "mobile")):
        r = out["slices"]["form"].get(form)
        if r:
            out[name] = {"relinked": r["relinked"]["value"], "false_links": r["false_links"]["value"]}
    return out


def other_targets(a: argparse.Namespace, m_c: de.Matches, probes_c: de.Probes, m_b: de.Matches,
                  probes_b: de.Probes, config: Any) -> dict[str, Any]:
    """The held-out figures at other tuning targets (sensitivity of the operating point)."""
    out = {}
    for target in a.also_target:
        t, _ = tune(m_c, probes_c, target, config)
        r = measure(m_b, probes_b, t, config, ())
        out[str(target)] = {"thresholds": t, "relinked": r["relinked"], "false_links": r["false_links"],
                            "form": r["slices"]["form"]}
    return out


def _counts(probes: de.Probes, attr: str, value: str) -> dict[str, int]:
    """Returning and new probes in a slice (each returning probe is one genuine and one impostor
    row of the score set, each new probe one impostor row)."""
    inside = [t is not None for t, meta in zip(probes.truth, probes.meta, strict=True) if meta[attr] == value]
    return {"returning": sum(inside), "new": len(inside) - sum(inside)}


def latency(m: de.Matches) -> dict[str, float]:
    ms = np.array(m.cpu_ms)
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "mean_ms": float(ms.mean())}


def fit(a: argparse.Namespace) -> LinkParams:
    """m, prior u and the combiner, all from population A."""
    pop = de.generate(SEED_A, a.enrolled, a.returning, a.new)
    pairs = [(fp, pop.base[int(t[1:])]) for fp, t in zip(pop.probes.fps, pop.probes.truth, strict=True) if t]
    params = estimate_params(pairs, pop.base, seed=SEED_A)
    return fit_combiner(params, de.build_index(pop.base, params), pop.probes.fps, pop.probes.truth)


def run(a: argparse.Namespace, say: Any = print) -> dict[str, Any]:
    config = _config(a)
    params = fit(a)
    say("A: parameters and combiner fitted; C: tuning")
    pop_c = de.generate(SEED_C, a.enrolled, a.returning, a.new)
    m_c = de.match_all(de.build_index(pop_c.base, params), pop_c.probes, fingerprint_only=False)
    thresholds, tuning = tune(m_c, pop_c.probes, a.target_false, config)
    say(f"C: thresholds {thresholds}")
    out: dict[str, Any] = {"thresholds": thresholds, "tuning_population": tuning,
                           "params": json.loads(params.to_json()),
                           "sizes": {"enrolled": a.enrolled, "returning": a.returning, "new": a.new},
                           "target_false": a.target_false,
                           "seeds": {"fitting": SEED_A, "tuning": SEED_C, "test": SEED_B}}
    pop_b = de.generate(SEED_B, a.enrolled, a.returning, a.new)
    idx_b = de.build_index(pop_b.base, params)
    for mode in ("mixed", "fingerprint_only"):
        say(f"B: {mode}")
        m_b = de.match_all(idx_b, pop_b.probes, fingerprint_only=mode == "fingerprint_only")
        out[mode] = measure(m_b, pop_b.probes, thresholds, config, SLICES if mode == "mixed" else ("os",))
        out[mode]["latency_in_memory"] = latency(m_b)
        if mode == "mixed":
            out["other_targets"] = other_targets(a, m_c, pop_c.probes, m_b, pop_b.probes, config)
    say("B: server_cookie")
    base_h, probes_h = de.with_server_cookie(pop_b)
    m_h = de.match_all(de.build_index(base_h, params), probes_h, fingerprint_only=False)
    out["server_cookie"] = measure(m_h, probes_h, thresholds, config, ("os", "storage"))
    say("B: no_ip_table")
    plain = de.Probes(de.strip(pop_b.probes.fps, ("asn",)), pop_b.probes.truth, pop_b.probes.meta)
    m_n = de.match_all(de.build_index(de.strip(pop_b.base, ("asn",)), params), plain, fingerprint_only=False)
    out["no_ip_table"] = measure(m_n, plain, thresholds, config, ())
    return out


def write(a: argparse.Namespace, out: dict[str, Any]) -> None:
    from openidv.behavior.training.device_card import device_card
    from openidv.evaluation.tuning import default_version
    from openidv.models.registry import record_model
    from openidv.policy.thresholds import ThresholdSet

    models = a.models_dir
    models.mkdir(parents=True, exist_ok=True)
    path = models / "device_link.json"
    path.write_text(LinkParams(out["params"]["m"], out["params"]["u"]).to_json() + "\n", encoding="utf-8")
    record_model(models, "device_link", path, "2.0.0", "device_link.md",
                 trained_by="python -m openidv.behavior.training.train_device", seeds=[SEED_A, SEED_C, SEED_B])
    source = {
        "tool": "python -m openidv.behavior.training.train_device (openidv.evaluation.tune_threshold)",
        "data": f"generated device populations: seed {SEED_A} (parameters), {SEED_C} (tuning), {SEED_B} (figures)",
        "target": {"fmr": a.target_false, "conservative": True,
                   "fmr_means": "false links over all probes (returning and new devices), mixed storage"},
        "achieved_on_tuning_population": out["tuning_population"],
        "measured_on_held_out_population": {k: {x: out[k][x] for x in ("relinked", "false_links")}
                                            for k in ("mixed", "fingerprint_only", "no_ip_table")},
        "accept_rule": "link iff posterior log odds >= value (link: desktop OSes, link_mobile: Android/iOS)",
    }
    values = {"link": out["thresholds"]["desktop"], "link_mobile": out["thresholds"]["mobile"]}
    ts = ThresholdSet("behavior_device", default_version(), values, source)
    a.thresholds_dir.mkdir(parents=True, exist_ok=True)
    ts.write(a.thresholds_dir / "behavior_device.yaml")
    (models / "device_link.md").write_text(device_card(out), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Device-linking parameters, thresholds and figures")
    ap.add_argument("--enrolled", type=int, default=20000)
    ap.add_argument("--returning", type=int, default=3000)
    ap.add_argument("--new", type=int, default=3000)
    ap.add_argument("--target-false", type=float, default=0.005)
    ap.add_argument("--also-target", type=float, nargs="*", default=[0.01],
                    help="Also report the held-out figures at these tuning targets (not shipped).")
    ap.add_argument("--bootstrap", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20261128, help="bootstrap seed")
    ap.add_argument("--models-dir", type=Path, default=PACKAGE_DIR / "models")
    ap.add_argument("--thresholds-dir", type=Path, default=PACKAGE_DIR.parent / "policy" / "data" / "thresholds")
    ap.add_argument("--json", type=Path, default=None, help="Write the measured figures here.")
    ap.add_argument("--dry-run", action="store_true", help="Measure only; write no files.")
    a = ap.parse_args(argv)
    out = run(a, say=lambda msg: print(msg, file=sys.stderr))
    text = json.dumps({k: v for k, v in out.items() if k != "params"}, indent=2)
    print(text)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(text + "\n", encoding="utf-8")
    if not a.dry_run:
        write(a, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
