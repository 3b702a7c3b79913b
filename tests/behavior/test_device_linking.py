"""Comparison levels, value-specific weights, the combiner and the evaluation rows of the linker."""

from __future__ import annotations

import math

from openidv.behavior.device.fingerprint import Fingerprint
from openidv.behavior.device.link_index import DeviceIndex
from openidv.behavior.device.linking import FEATURES, LinkParams, combine, feature_vector, level
from openidv.behavior.training import device_eval as de

PARAMS = LinkParams(
    m={"hardware:1": 0.99, "hardware:0": 0.01, "screen:1": 0.9, "screen:0": 0.1, "timezone:1": 0.9,
       "timezone:0": 0.1},
    u={"hardware:1": 0.05, "hardware:0": 0.95, "screen:1": 0.1, "screen:0": 0.9, "screen:1|hw": 0.5,
       "screen:0|hw": 0.5, "timezone:1": 0.1, "timezone:0": 0.9, "timezone:1|hw": 0.1, "timezone:0|hw": 0.9},
)


def fp(**values: object) -> Fingerprint:
    return Fingerprint(dict(values))


def test_levels_follow_the_typical_drift() -> None:
    old = fp(browser="Chrome", browser_major=128, os="Android", os_version="13.0.0", subnet="a", asn=1,
             languages="de-de,de", locale="de-de", fonts=frozenset("abcdefghij"))
    new = fp(browser="Chrome", browser_major=131, os="Android", os_version="14.0.0", subnet="b", asn=1,
             languages="de-de,de,en-us,en", locale="de-de", fonts=frozenset("abcdefghijk"))
    assert [level(c, new, old) for c in ("browser", "os_version", "network", "languages", "fonts")] == [1, 1, 1, 1, 1]
    assert level("browser", old, new) == 0 and level("os_version", old, new) == 0  # downgrades are not drift
    assert level("network", fp(subnet="a"), fp(subnet="a", asn=2)) == 2
    assert level("network", fp(), fp(subnet="a")) is None


def test_value_specific_u_leaves_the_candidate_out() -> None:
    idx = DeviceIndex(PARAMS)
    common = {"webgl": "g", "os": "iOS", "timezone": "Europe/Paris", "languages": "fr-fr", "pixel_ratio": 3.0,
              "insets": "0x0"}
    for i in range(30):
        idx.add(f"twin{i}", fp(**common, screen="393x852"))
    idx.add("rare", fp(**common, screen="320x693"))
    probe = fp(**common, screen="320x693")
    # the rare screen: only the candidate itself has it, so another device sharing it is unlikely
    assert idx.u("screen", 1, probe, given_hw=True) < idx.u("screen", 1, fp(**common, screen="393x852"), True) / 5
    assert idx.match(probe, threshold=-math.inf).best_id == "rare"


def test_combiner_defaults_to_the_plain_sum() -> None:
    w = {"hardware": 2.0, "canvas": 1.5}
    assert combine(w, hw=True, mobile=False, params=PARAMS) == 3.5
    coef = dict.fromkeys(FEATURES, 0.5)
    with_coef = LinkParams(PARAMS.m, PARAMS.u, coef, intercept=-1.0)
    assert math.isclose(combine(w, True, True, with_coef), -1.0 + 3.5 * 0.5 + 1.5 * 0.5 + 3.5 * 0.5)
    x = feature_vector(w, hw=True, mobile=True)
    assert len(x) == len(FEATURES) and math.isclose(with_coef.intercept + 0.5 * sum(x), combine(w, True, True,
                                                                                                  with_coef))
    assert LinkParams.from_json(with_coef.to_json()) == with_coef


def test_score_rows_measure_relinks_and_false_links() -> None:
    probes = de.Probes([fp(os="Windows")] * 3, ["d0", "d1", None], [{"form": "desktop"}] * 3)
    m = de.Matches(best=["d0", "d7", "d3"], score=[5.0, 4.0, 6.0], blocked_in=[True, True, False],
                   cpu_ms=[0.1] * 3)
    rows = de.score_arrays(m, probes)
    genuine = rows["score"][rows["positive"]]
    impostor = rows["score"][~rows["positive"]]
    assert list(genuine) == [5.0, de.NEVER]  # d1's best candidate is not d1: it cannot be re-linked
    assert list(impostor) == [de.NEVER, 4.0, 6.0]  # d0 cannot be falsely linked; d1 and the new one can
    shifted = de.score_arrays(m, probes, {"desktop": 4.5, "mobile": 0.0})
    assert shifted["score"][0] == 0.5


def test_generated_twin_phones_are_not_linked_on_the_fingerprint() -> None:
    pop = de.generate(11, 300, 40, 40)
    idx = de.build_index(pop.base, LinkParams({}, {}))
    twin = pop.base[0]
    for k in range(20):
        idx.add(f"clone{k}", Fingerprint(twin.values, None))
    r = idx.match(Fingerprint(twin.values, None), threshold=0.0)
    assert r.device_id is None and r.candidates >= 20
