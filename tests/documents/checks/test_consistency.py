"""document_consistency on hand-made upstream results: which VIZ outcome raises which reason code."""

from __future__ import annotations

from typing import Any

from openidv.checks.base import CheckContext, Environment
from openidv.config import Settings
from openidv.documents.checks.consistency import DocumentConsistencyCheck
from openidv.documents.mrz.parse import parse_lines
from openidv.documents.viz.extract import VIZReading
from openidv.domain import CheckResult, Outcome, Session
from openidv.policy import ThresholdRegistry

# ICAO 9303 part 4 specimen: ERIKSSON, ANNA MARIA, born 1974-08-12, L898902C3, expiry 2012-04-15
MRZ = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def _upstream(*lines: tuple[str, float]) -> dict[str, CheckResult]:
    mrz = CheckResult(check="document_mrz", version="t", outcome=Outcome.PASS)
    mrz.artifacts["mrz"] = parse_lines(MRZ)
    viz = CheckResult(check="document_viz", version="t", outcome=Outcome.PASS)
    texts = [(t, (0, 20 * i, 100, 20 * i + 15)) for i, (t, _) in enumerate(lines)]
    confs = [[c] * len(t.split()) for t, c in lines]
    viz.artifacts["viz"] = {"c1": VIZReading(lines=texts, words=sum(len(t.split()) for t, _ in lines),
                                             mean_conf=90.0, confs=confs)}
    return {"document_mrz": mrz, "document_barcode": CheckResult(check="document_barcode", version="t",
                                                                  outcome=Outcome.NOT_APPLICABLE), "document_viz": viz}


def _run(upstream: dict[str, CheckResult], **params: Any) -> CheckResult:
    ctx = CheckContext(Session(), upstream, ThresholdRegistry.load().view({}), Environment(settings=Settings()), params)
    return DocumentConsistencyCheck().run(ctx)


HEADER = [("UTOPIA PASSPORT", 96.0), ("TYPE P CODE UTO", 95.0)]


def _printed(
    dob: str = "12 AUG 1974", number: tuple[str, float] | None = ("L898902C3", 94.0)
) -> dict[str, CheckResult]:
    """Upstream results for the specimen with its visual zone printed as given (number None: not read)."""
    lines = [*HEADER, ("ERIKSSON", 96.0), ("ANNA MARIA", 95.0), (dob, 96.0), ("15 APR 2012", 96.0)]
    return _upstream(*lines, *([number] if number else []))


def test_every_printed_field_agrees() -> None:
    res = _run(_printed())
    assert res.outcome is Outcome.PASS and res.reason_codes == []


def test_a_clearly_different_printed_birth_date_is_data_mismatch() -> None:
    res = _run(_printed(dob="03 FEB 1965"))
    assert res.outcome is Outcome.FAIL and res.reason_codes == ["DATA_MISMATCH"]


def test_a_field_not_read_is_review_or_pass_as_the_policy_says() -> None:
    up = _printed(number=None)
    res = _run(up)
    assert res.outcome is Outcome.REVIEW and res.reason_codes == ["VIZ_FIELD_UNREAD"]
    assert res.evidence["mrz~viz:c1"]["unread"] == ["document_number"]
    res = _run(up, viz_unread="pass")
    assert res.outcome is Outcome.PASS and res.reason_codes == []
    assert res.evidence["mrz~viz:c1"]["unread"] == ["document_number"]


def test_a_doubtful_conflicting_number_is_unconfirmed() -> None:
    res = _run(_printed(number=("L898962C3", 70.0)))
    assert res.outcome is Outcome.REVIEW and res.reason_codes == ["VIZ_DATA_UNCONFIRMED"]


def test_the_viz_unread_param_fails_closed() -> None:
    up = _printed(number=None)
    for value in ("Review", "REVIEW", False, "typo"):
        assert _run(up, viz_unread=value).reason_codes == ["VIZ_FIELD_UNREAD"]


def test_a_us_issued_mrz_document_prints_numeric_dates_day_first() -> None:
    """ICAO 9303 documents print dates day first whoever issues them; only US licences (AAMVA)
    print month first."""
    up = _upstream(*HEADER, ("ERIKSSON", 96.0), ("ANNA MARIA", 95.0), ("12/08/1974", 96.0), ("15/04/2012", 96.0),
                   ("L898902C3", 94.0))
    mrz = parse_lines([MRZ[0].replace("UTO", "USA", 1), MRZ[1].replace("UTO", "USA", 1)])
    up["document_mrz"].artifacts["mrz"] = mrz
    assert mrz.fields["issuing_state"] == "USA"
    res = _run(up)
    assert res.outcome is Outcome.PASS and res.reason_codes == []


def _no_zone_read(words: int | None) -> dict[str, CheckResult]:
    """The MRZ read, and the visual zone not read (None: no photo read at all; else that many words)."""
    up = _printed()
    viz = up["document_viz"]
    if words is None:
        viz.artifacts["viz"] = {}
        viz.outcome = Outcome.REVIEW
    else:
        lines = [("UTOPIA", 60.0)] * words
        viz.artifacts["viz"] = {"c1": VIZReading(lines=[(t, (0, 0, 10, 10)) for t, _ in lines], words=words,
                                                 mean_conf=60.0, confs=[[c] for _, c in lines])}
    return up


def test_machine_read_data_with_no_visual_zone_read_is_not_silent() -> None:
    """A front whose card outline was missed (no reading) or that read almost nothing: the MRZ's
    data were compared with nothing printed, which a person must look at (stop 38: such sessions
    passed this check)."""
    for words in (None, 2):
        res = _run(_no_zone_read(words))
        assert res.outcome is Outcome.REVIEW and res.reason_codes == ["VIZ_FIELD_UNREAD"]
        assert res.evidence["visual_zone_not_read"]["sources"] == ["mrz"]
        res = _run(_no_zone_read(words), viz_unread="pass")
        assert res.outcome is Outcome.PASS and res.reason_codes == []
        assert "visual_zone_not_read" in res.evidence


def test_a_read_visual_zone_is_not_reported_as_unread() -> None:
    assert "visual_zone_not_read" not in _run(_printed()).evidence
