from __future__ import annotations

import numpy as np

from openidv.face.lfw import best_threshold, image_path, protocol_accuracy, read_pairs


def _write(tmp_path, text):
    p = tmp_path / "pairs.txt"
    p.write_text(text)
    return p


def test_folds_recovered_from_sorted_runs(tmp_path):
    lines = []
    for _fold in range(3):
        lines += ["Alice\t1\t2", "Bob 1 3"]
        lines += ["Alice\t1\tBob\t2", "Carol 1 Dave 1"]
    pairs = read_pairs(_write(tmp_path, "\n".join(lines) + "\n"))
    assert [p.fold for p in pairs] == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert [p.mated for p in pairs[:4]] == [True, True, False, False]


def test_grouped_file_pairs_kth_mated_run_with_kth_nonmated_run(tmp_path):
    text = "A 1 2\nB 1 2\nA 1 3\nC 1 2\nA 1 B 1\nC 1 D 1\nA 2 C 1\n"
    pairs = read_pairs(_write(tmp_path, text))
    assert [p.fold for p in pairs] == [0, 0, 1, 1, 0, 0, 1]


def test_header_with_fold_counts(tmp_path):
    text = "2 1\nA 1 2\nA 1 B 1\nB 1 2\nB 2 C 1\n"
    pairs = read_pairs(_write(tmp_path, text))
    assert [p.fold for p in pairs] == [0, 0, 1, 1]
    assert image_path(tmp_path, "A", 1).name == "A_0001.jpg"


def test_best_threshold_separates():
    s = np.array([0.1, 0.2, 0.8, 0.9])
    y = np.array([False, False, True, True])
    t = best_threshold(s, y)
    assert 0.2 < t < 0.8


def test_protocol_counts_unscored_pairs_as_errors(tmp_path):
    lines = []
    for _ in range(10):
        lines += ["A 1 2", "B 1 2", "A 1 B 1", "C 1 D 1"]
    pairs = read_pairs(_write(tmp_path, "\n".join(lines)))
    scores = [0.9 if p.mated else 0.1 for p in pairs]
    res = protocol_accuracy(scores, pairs)
    assert res.accuracy == 1.0
    scores[0] = None
    res = protocol_accuracy(scores, pairs)
    assert res.unscored == 1
    assert res.fold_accuracies[0] == 0.75
