"""build_templates pieces (the full build renders every design: about 15 minutes, not run here)."""

from __future__ import annotations

from openidv.documents.authenticity.template_match import load_registry
from openidv.documents.training.build_templates import Scored, pipeline_view, rates, score_docs, tune, write_card


def test_rates_count_only_recognised_documents_below_the_margin() -> None:
    docs = [Scored(True, 0.3, 0.8), Scored(True, 0.01, 0.8), Scored(True, 0.01, 0.2), Scored(True, None, None),
            Scored(False, -0.2, 0.7), Scored(False, -0.2, 0.3)]
    r = rates(docs, min_margin=0.05, min_recognised=0.5)
    assert r["genuine"] == 4 and r["mismatch"] == 2
    assert r["false_reject"] == 0.25 and r["detected"] == 0.5
    assert r["not_recognised"] == {"genuine": 1, "mismatch": 1}
    assert r["not_compared"] == {"genuine": 1, "mismatch": 0}
    card = write_card({"min_margin": 0.05, "min_recognised": 0.5, "test_seed": 1, "train": r,
                       "train_pipeline_rectification": r,
                       "test_heldout_templates_and_conditions": r, "test_heldout_pipeline_rectification": r},
                      "python -m openidv.documents.training.build_templates", enabled=False)
    assert "25.0% [" in card and "Enabled in the pipeline: **False**" in card


def test_held_out_documents_are_scored_through_the_pipelines_rectification() -> None:
    reg = load_registry()
    assert reg is not None
    docs = score_docs(reg, "test", 1, 80_000_000, pipeline=True)
    assert [d.genuine for d in docs] == [True, False]
    assert all(d.margin is None or -1.0 <= d.margin <= 2.0 for d in docs)


def test_pipeline_view_of_a_blank_photo_is_none() -> None:
    import numpy as np

    assert pipeline_view(np.full((480, 640, 3), 128, np.uint8)) is None



def test_margin_is_tuned_on_compared_documents_and_holds_in_most_replicates() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    genuine = [Scored(True, float(m), 0.8) for m in rng.normal(0.3, 0.1, 400)]
    # unrecognised and uncompared genuine documents are passed, never flagged: they must not move the margin
    unseen = [Scored(True, -0.5, 0.1) for _ in range(100)] + [Scored(True, None, None) for _ in range(20)]
    mismatch = [Scored(False, float(m), 0.8) for m in rng.normal(-0.4, 0.1, 400)]
    thr = tune(genuine + unseen + mismatch, "margin", min_recognised=0.5)
    flagged = rates(genuine + unseen + mismatch, thr, 0.5)
    assert flagged["false_reject"] <= 0.01 and flagged["detected"] > 0.99
    # conservative: below the 1% point of the sample itself
    assert thr < float(np.quantile([d.margin for d in genuine], 0.01 * 520 / 400))
    rec = tune(genuine + unseen + mismatch, "best")
    assert 0.1 <= rec <= 0.8
