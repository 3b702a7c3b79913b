"""Tune when a valid MRZ reading is too close to another valid reading to be trusted.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.tune_mrz_ambiguity --n 1000 \\
        --json var/bench/mrz_ambiguity_tune.json --write-thresholds

Check digits cannot tell apart two readings that both satisfy them (``L898902C3`` and ``LB9B902C3``:
two B-for-8 swaps at weights 3 and 7 cancel). `mrz.ambiguity.closest_alternative` gives, for a
reading whose check digits hold, the cost in nats of the closest other reading that holds them too;
the ``document_mrz`` check asks for a new photo when it is below ``ambiguous_below`` instead of
passing the reading as valid.

The readings and the quantile rule are shared with the name-letter rule
(``training/mrz_stress_tuning.py``): ``ambiguous_below`` is the ``--flag`` (1%) lower quantile of the
alternative costs of the readings that are valid and exact on stressed train documents. Measured on
held-out data by ``benchmarks/documents_mrz_robustness.py`` (the real specimen photos) and
``benchmarks/documents_mrz.py`` (held-out templates and conditions).
"""

from __future__ import annotations

from openidv.documents.training.mrz_stress_tuning import Rule, main

RULE = Rule("cost", "document_mrz_ambiguity", "ambiguous_below", "openidv.documents.training.tune_mrz_ambiguity",
            "another reading keeping every check digit lies within this many nats")

if __name__ == "__main__":
    main(RULE, __doc__)
