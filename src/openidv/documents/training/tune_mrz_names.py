"""Tune when a name letter of a valid MRZ reading is too unsure to pass unchecked.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.tune_mrz_names --n 2000 --workers 2 \\
        --json var/bench/mrz_names_tune.json --write-thresholds

No check digit covers the names: a misread name letter keeps every check digit holding.
`mrz.name_doubt.weakest_name_letter` gives the classifier's lowest probability among the name
letters as read; the ``document_mrz`` check asks for a new photo when it is below ``doubtful_below``
instead of passing the reading. ``doubtful_below`` is the ``--flag`` (1%) lower quantile of that
probability over the readings that are valid and exact on stressed train documents (readings and
rule shared with the ambiguity threshold, ``training/mrz_stress_tuning.py``; ``--rows`` reuses the
readings of either script's ``--json`` run with the same settings). Measured on held-out data by
``benchmarks/documents_mrz_robustness.py`` (the real specimen photos), ``benchmarks/documents_mrz.py``
(held-out templates and conditions) and ``benchmarks/documents_mrz_hidden_end.py``.
"""

from __future__ import annotations

from openidv.documents.training.mrz_stress_tuning import Rule, main

RULE = Rule("weakest_name", "document_mrz_names", "doubtful_below", "openidv.documents.training.tune_mrz_names",
            "a name letter (no check digit covers the names) was read with a lower probability than this")

if __name__ == "__main__":
    main(RULE, __doc__)
