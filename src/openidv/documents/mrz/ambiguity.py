"""Would another reading pass every check digit just as well?

A check digit is a sum modulo 10, so some pairs of misreads cancel out: ``B`` (value 11) read for
``8`` shifts the weighted sum by 3 x the position's weight, and two such swaps at weights 7 and 3
shift it by 30 - the ICAO specimen's document number ``L898902C3`` read ``LB9B902C3`` keeps its
check digit and the composite. Single swaps whose values differ by 10 or 20 (``G``/``6``,
``I``/``8``, ``S``/``8``, ``Z``/``5``, ``L``/``1``) keep any check at any weight. A reading whose
check digits hold is then only as good as the margin by which it beats the closest *other* reading
that also holds them: when the two are nearly as likely, the check digits have not decided
between them and ``valid`` means little.

`closest_alternative` finds that other reading: the least costly change of up to
:data:`MAX_CHANGES` characters covered by a check digit (each to a character its field allows)
after which every check digit still holds, and its cost in nats below the reading. Characters no
check digit covers (the names) are not searched: any change there keeps the check digits. The
``document_mrz`` check compares the cost with ``ambiguous_below`` (tuned on genuine train documents,
``training/tune_mrz_ambiguity.py``) and asks for a new photo below it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.mrz.alphabet import ALPHABET, INDEX, WEIGHTS, char_value
from openidv.documents.mrz.formats import CheckSpec, FormatSpec
from openidv.documents.mrz.parse import MRZResult, check_holds, effective_checks

# Costlier alternatives are not searched (nats below the reading; a tuned threshold must lie below).
SEARCH_NATS = 8.0
MAX_CHANGES = 3  # two cancelling swaps, or one plus a check digit changed to match
MAX_CANDIDATES = 18  # single-character changes kept, cheapest first (3-subsets: 816 at most)


@dataclass(frozen=True)
class Alternative:
    """The closest other reading whose check digits all hold."""

    text: str  # flat MRZ text (lines joined)
    cost: float  # nats below the reading (sum over the changed characters)
    positions: tuple[int, ...]  # flat indices changed

    def to_dict(self, width: int) -> dict[str, Any]:
        return {"lines": [self.text[i : i + width] for i in range(0, len(self.text), width)],
                "cost": round(self.cost, 3),
                "changed": [{"line": p // width, "position": p % width} for p in self.positions]}


def _weights(chk: CheckSpec, width: int) -> dict[int, int]:
    """Weight of each covered position in the check's sum; the digit itself counts -1."""
    data = [p for span in chk.spans for p in span.positions(width)]
    out = {p: WEIGHTS[i % 3] for i, p in enumerate(data)}
    out[chk.digit.positions(width)[0]] = -1
    return out


def closest_alternative(spec: FormatSpec, logp: NDArray[np.float64], text: str, allowed: NDArray[np.bool_],
                        search: float = SEARCH_NATS) -> Alternative | None:
    """The least costly other reading (within `search` nats) whose check digits all hold, or None.

    `logp` holds the per-position log-probabilities the reading was decoded from, `allowed` which
    characters each position's field permits. Costs are relative to `text`, so they are >= 0 when
    `text` is the decoder's most likely valid reading."""
    checks = effective_checks(spec, text)
    weights = [_weights(c, spec.width) for c in checks]
    covered = sorted({p for w in weights for p in w})
    chosen = [INDEX[ch] for ch in text]
    cands: list[tuple[float, int, int]] = []
    for p in covered:
        base = float(logp[p, chosen[p]])
        for c in np.flatnonzero(allowed[p]):
            d = base - float(logp[p, c])
            if int(c) != chosen[p] and d <= search:
                cands.append((d, p, int(c)))
    cands = sorted(cands)[:MAX_CANDIDATES]
    # How each change moves each check's sum modulo 10: a combination keeps every check digit when
    # its moves add up to 0 for all of them (verified on the text, which also covers fillers).
    moves = [np.array([w.get(p, 0) * (char_value(ALPHABET[c]) - char_value(text[p])) % 10 for w in weights])
             for _, p, c in cands]
    best: Alternative | None = None
    for k in range(1, MAX_CHANGES + 1):
        for combo in itertools.combinations(range(len(cands)), k):
            cost = sum(cands[i][0] for i in combo)
            if (best is not None and cost >= best.cost) or cost > search:
                continue
            if len({cands[i][1] for i in combo}) < k or np.any(sum(moves[i] for i in combo) % 10):
                continue
            alt = list(text)
            for i in combo:
                alt[cands[i][1]] = ALPHABET[cands[i][2]]
            alt_text = "".join(alt)
            if all(check_holds(alt_text, spec, c) for c in effective_checks(spec, alt_text)):
                best = Alternative(alt_text, float(cost), tuple(sorted(cands[i][1] for i in combo)))
    return best


def alternative_cost(res: MRZResult) -> float | None:
    """Nats between a valid reading and the closest other reading that is valid too; None when the
    reading is not valid, carries no probabilities (text parsed, not read) or none was found within
    :data:`SEARCH_NATS`."""
    if not res.valid or res.alternative is None:
        return None
    return float(res.alternative["cost"])


def ambiguous(res: MRZResult, ambiguous_below: float) -> bool:
    """Do the check digits hold for another reading nearly as likely as this one (a new photo)?"""
    cost = alternative_cost(res)
    return cost is not None and cost < ambiguous_below
