from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from openidv.domain import CheckResult, DecisionKind, Outcome, Session
from openidv.errors import ConfigError
from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry, ThresholdSet


@pytest.fixture(scope="module")
def catalogue() -> ReasonCatalogue:
    return ReasonCatalogue.load()


@pytest.fixture
def registry() -> ThresholdRegistry:
    reg = ThresholdRegistry.load()
    sets = {n: reg.get(n) for n in reg.names()}
    sets["face_match"] = ThresholdSet("face_match", "t1", {"match": 0.6})
    sets["face_match_strict"] = ThresholdSet("face_match_strict", "t2", {"match": 0.8})
    return ThresholdRegistry(sets)


BASE: dict[str, Any] = {
    "name": "test",
    "version": "9.9.9",
    "precedence": ["decline", "review", "resubmit", "approve"],
    "threshold_sets": {"face_match": "face_match"},
    "outcome_actions": {
        "pass": "approve",
        "not_applicable": "approve",
        "review": "review",
        "fail": "decline",
        "error": "review",
    },
    "check_actions": {"image_usability": {"fail": "resubmit"}},
    "reason_actions": {"DOCUMENT_TAMPERED": "decline"},
    "score_rules": [
        {"check": "face_match", "below": "face_match.match", "action": "decline", "reason": "FACE_MISMATCH"}
    ],
    "required_checks": [{"check": "image_usability", "action": "resubmit", "reason": "MISSING_CAPTURE"}],
    "overrides": [
        {"match": {"flow": ["high_risk_action"]}, "set": {"threshold_sets": {"face_match": "face_match_strict"}}},
        {"match": {"country": ["US"]}, "set": {"check_actions": {"image_usability": {"fail": "review"}}}},
    ],
}


def _r(check: str, outcome: Outcome, score: float | None = None, codes: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(check=check, version="1", outcome=outcome, score=score, reason_codes=list(codes))


def decide(engine: PolicyEngine, results: list[CheckResult], country: str | None = None, flow: str = "signup"):
    session = Session(country=country)
    pol = engine.resolve(country, flow)
    view = engine.thresholds.view(pol.threshold_sets)
    return engine.decide(session, {r.check: r for r in results}, pol, view)


def test_all_pass_approves(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    d = decide(e, [_r("image_usability", Outcome.PASS, 0.9), _r("face_match", Outcome.PASS, 0.7)])
    assert d.decision is DecisionKind.APPROVE
    assert d.policy_version == "9.9.9"
    assert d.threshold_versions == {"face_match": "t1"}


def test_error_never_approves_even_if_policy_says_so(catalogue, registry):
    raw = copy.deepcopy(BASE)
    raw["outcome_actions"]["error"] = "approve"
    e = PolicyEngine(raw, catalogue, registry)
    d = decide(e, [_r("image_usability", Outcome.PASS), _r("x", Outcome.ERROR)])
    assert d.decision is DecisionKind.REVIEW
    assert "CHECK_ERROR" in d.reason_codes


def test_worst_action_wins_and_user_reasons_are_safe(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    d = decide(
        e,
        [
            _r("image_usability", Outcome.FAIL, 0.2, ("IMAGE_BLURRY",)),
            _r("doc", Outcome.FAIL, 0.1, ("DOCUMENT_TAMPERED",)),
        ],
    )
    assert d.decision is DecisionKind.DECLINE
    assert set(d.reason_codes) == {"IMAGE_BLURRY", "DOCUMENT_TAMPERED"}
    assert [r.code for r in d.user_reasons] == ["IDENTITY_NOT_VERIFIED"]  # fraud code never shown to the user


def test_score_rule_uses_flow_override_thresholds(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    results = [_r("image_usability", Outcome.PASS), _r("face_match", Outcome.PASS, 0.7)]
    assert decide(e, results).decision is DecisionKind.APPROVE
    strict = decide(e, results, flow="high_risk_action")
    assert strict.decision is DecisionKind.DECLINE
    assert strict.threshold_versions == {"face_match_strict": "t2"}


def test_country_override(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    results = [_r("image_usability", Outcome.FAIL, 0.2, ("IMAGE_BLURRY",))]
    assert decide(e, results).decision is DecisionKind.RESUBMIT
    assert decide(e, results, country="US").decision is DecisionKind.REVIEW


def test_required_check_missing(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    d = decide(e, [_r("image_usability", Outcome.NOT_APPLICABLE)])
    assert d.decision is DecisionKind.RESUBMIT and d.reason_codes == ["MISSING_CAPTURE"]


def _skipped(check: str, upstream: list[str]) -> CheckResult:
    return CheckResult(
        check=check,
        version="1",
        outcome=Outcome.NOT_APPLICABLE,
        evidence={"skipped": "upstream check did not pass", "upstream": upstream},
    )


def _requiring_face_match() -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw["required_checks"].append({"check": "face_match", "action": "resubmit", "reason": "MISSING_CAPTURE"})
    return raw


def test_required_check_skipped_behind_a_failed_upstream_gives_the_upstream_reason_alone(catalogue, registry):
    """A blurry selfie: face_quality asks for a new one and face_match is skipped; the applicant is
    not also told that a photo is missing."""
    e = PolicyEngine(_requiring_face_match(), catalogue, registry)
    blurry = _r("face_quality", Outcome.FAIL, 0.1, ("FACE_QUALITY_LOW",))
    d = decide(e, [_r("image_usability", Outcome.PASS), blurry, _skipped("face_match", ["face_quality"])])
    assert d.decision is DecisionKind.DECLINE and d.reason_codes == ["FACE_QUALITY_LOW"]


def test_required_check_skipped_for_want_of_a_capture_is_missing(catalogue, registry):
    """No selfie: face_quality did not apply, so face_match was skipped behind it; the chain ends in
    a missing capture, never in a failure, and the session is not approved."""
    e = PolicyEngine(_requiring_face_match(), catalogue, registry)
    absent = CheckResult(check="face_quality", version="1", outcome=Outcome.NOT_APPLICABLE,
                         evidence={"skipped": "nothing in the session for this check"})
    d = decide(e, [_r("image_usability", Outcome.PASS), absent, _skipped("face_match", ["face_quality"])])
    assert d.decision is DecisionKind.RESUBMIT and d.reason_codes == ["MISSING_CAPTURE"]
    assert decide(e, [_r("image_usability", Outcome.PASS)]).decision is DecisionKind.RESUBMIT


def test_unknown_reason_code_is_safe(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    d = decide(e, [_r("image_usability", Outcome.PASS), _r("x", Outcome.REVIEW, None, ("NOT_A_CODE",))])
    assert d.decision is DecisionKind.REVIEW
    assert "CHECK_ERROR" in d.reason_codes


@pytest.mark.parametrize(
    "patch",
    [
        {"precedence": ["decline", "review", "approve"]},
        {"reason_actions": {"NO_SUCH_CODE": "decline"}},
        {"threshold_sets": {"face_match": "missing_set"}},
        {"outcome_actions": {"pass": "maybe"}},
        {"score_rules": [{"check": "x", "below": "nodot", "action": "decline", "reason": "FACE_MISMATCH"}]},
        {"params": {"legacy_id_valid_until": "2031-13-01"}},
        {"params": {"legacy_id_valid_until": 2031}},
        {"overrides": [{"match": {"country": ["FR"]}, "set": {"params": {"legacy_id_valid_until": "03/08/2026"}}}]},
        # found by an audit (stop 32): each loaded, then misbehaved on live sessions
        {"precedence": ["decline", "approve", "review", "resubmit"]},
        {"score_rules": [{"check": "x", "below": "face_match.no_such_key", "action": "decline",
                          "reason": "FACE_MISMATCH"}]},
        {"overrides": [{"match": {"countries": ["US"]}, "set": {}}]},
        {"overrides": [{"match": {}, "set": {}}]},
        {"overrides": [{"match": {"country": "USA"}, "set": {}}]},
        {"overrides": [{"match": {"country": ["us"]}, "set": {}}]},
        {"overrides": [{"match": {"flow": ["singup"]}, "set": {}}]},
        {"outcome_actions": {"pass": "approve"}},
        {"score_rules": [{"check": "x", "below": "face_match.match", "action": "decline"}]},
    ],
)
def test_bad_policy_fails_at_load(catalogue, registry, patch):
    raw = copy.deepcopy(BASE) | patch
    with pytest.raises(ConfigError):
        PolicyEngine(raw, catalogue, registry)


def test_date_params_reach_checks_as_dates(catalogue, registry):
    import datetime as dt

    for value, expected in (("2031-08-03", dt.date(2031, 8, 3)), (dt.date(2026, 8, 3), dt.date(2026, 8, 3)),
                            (dt.datetime(2031, 8, 3, 12, 0), dt.date(2031, 8, 3)), (None, None)):
        raw = copy.deepcopy(BASE) | {"params": {"legacy_id_valid_until": value}}
        params = PolicyEngine(raw, catalogue, registry).resolve(None, "signup").params
        assert params["legacy_id_valid_until"] == expected


def test_packaged_policy_and_catalogue_load():
    cat = ReasonCatalogue.load()
    for code in (
        "MRZ_CHECKSUM",
        "FACE_MISMATCH",
        "SPOOF_SUSPECTED",
        "DUPLICATE_IDENTITY",
        "BOT_SUSPECTED",
        "CHECK_ERROR",
    ):
        assert code in cat
    engine = PolicyEngine.from_file(None, cat, ThresholdRegistry.load())
    assert engine.version


def test_threshold_file_roundtrip(tmp_path):
    ts = ThresholdSet("x_set", "1", {"a": 0.5}, {"tool": "test"})
    ts.write(tmp_path / "x.yaml")
    reg = ThresholdRegistry.load([tmp_path])
    assert reg.get("x_set")["a"] == 0.5
    assert yaml.safe_load((tmp_path / "x.yaml").read_text())["source"] == {"tool": "test"}
    with pytest.raises(ConfigError):
        reg.get("x_set")["missing"]


def test_an_error_gets_a_human_whatever_the_files_order(catalogue, registry):
    """`error: resubmit` ranked above review must not send an errored session back without a human."""
    raw = copy.deepcopy(BASE)
    raw["precedence"] = ["decline", "resubmit", "review", "approve"]
    raw["outcome_actions"]["error"] = "resubmit"
    e = PolicyEngine(raw, catalogue, registry)
    d = decide(e, [_r("image_usability", Outcome.PASS), _r("x", Outcome.ERROR)])
    assert d.decision is DecisionKind.REVIEW and "CHECK_ERROR" in d.reason_codes
    declined = decide(e, [_r("doc", Outcome.FAIL, 0.1, ("DOCUMENT_TAMPERED",)), _r("x", Outcome.ERROR)])
    assert declined.decision is DecisionKind.DECLINE


def test_an_unknown_code_on_a_resubmit_or_a_pass_still_gets_a_human(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    resubmit = decide(e, [_r("image_usability", Outcome.FAIL, 0.2, ("IMAGE_BLURRY", "NOT_A_CODE"))])
    assert resubmit.decision is DecisionKind.REVIEW and "CHECK_ERROR" in resubmit.reason_codes
    passed = decide(e, [_r("image_usability", Outcome.PASS, 0.9, ("NOT_A_CODE",))])
    assert passed.decision is DecisionKind.REVIEW


def test_overrides_match_countries_case_blind(catalogue, registry):
    e = PolicyEngine(BASE, catalogue, registry)
    results = [_r("image_usability", Outcome.FAIL, 0.2, ("IMAGE_BLURRY",))]
    assert decide(e, results, country="us").decision is DecisionKind.REVIEW


def _packaged(catalogue: ReasonCatalogue) -> PolicyEngine:
    return PolicyEngine.from_file(None, catalogue, ThresholdRegistry.load())


def _absent(check: str) -> CheckResult:
    return CheckResult(check=check, version="1", outcome=Outcome.NOT_APPLICABLE,
                       evidence={"skipped": "nothing in the session for this check"})


@pytest.mark.parametrize(
    ("missing", "present"),
    [
        ("face_match", "document_validity"),  # a document alone (or a card's back alone: no portrait)
        ("document_validity", "face_match"),  # a selfie matched to a portrait, no document data read
    ],
)
def test_packaged_policy_approves_only_a_person_matched_to_a_read_document(catalogue, missing, present):
    """Policy 1.6.0: before it, a session holding only a document (or only a selfie) was approved on
    the checks that did apply."""
    e = _packaged(catalogue)
    results = [_r("image_usability", Outcome.PASS), _r(present, Outcome.PASS, 0.9), _absent(missing)]
    d = decide(e, results)
    assert d.decision is DecisionKind.RESUBMIT and d.reason_codes == ["MISSING_CAPTURE"]
    both = [_r("image_usability", Outcome.PASS), _r("face_match", Outcome.PASS, 0.9),
            _r("document_validity", Outcome.PASS, 1.0)]
    assert decide(e, both).decision is DecisionKind.APPROVE


def test_requirements_for_checks_the_deployment_does_not_run_are_waived(catalogue):
    e = _packaged(catalogue)
    assert e.waive_unloaded(["image_usability", "document_validity", "document_mrz"]) == ["face_match"]
    results = [_r("image_usability", Outcome.PASS), _r("document_validity", Outcome.PASS, 1.0)]
    assert decide(e, results).decision is DecisionKind.APPROVE
    assert decide(e, [_r("image_usability", Outcome.PASS)]).decision is DecisionKind.RESUBMIT


def test_runtime_logs_the_waived_requirements(settings, caplog):
    from openidv.runtime import Runtime

    with caplog.at_level("WARNING", logger="openidv.runtime"):
        rt = Runtime.build(settings, with_store=False)  # the shared settings load the core plugin only
    try:
        assert rt.engine.loaded_checks is not None and "face_match" not in rt.engine.loaded_checks
        assert "document_validity, face_match" in caplog.text
    finally:
        rt.pipeline.close()


@pytest.mark.parametrize(
    ("upstream_action", "required", "reason", "expected"),
    [
        # an operator mapping the upstream failure to approve cannot thereby approve without the check
        ("approve", "resubmit", "MISSING_CAPTURE", DecisionKind.RESUBMIT),
        # a review's finding (stop 34): a blurry selfie (resubmit) must not silence a review requirement
        ("resubmit", "review", "REQUIRED_CHECK_MISSING", DecisionKind.REVIEW),
    ],
)
def test_a_requirement_is_not_silenced_by_a_milder_upstream_failure(catalogue, registry, upstream_action, required,
                                                                      reason, expected):
    raw = copy.deepcopy(BASE)
    raw["required_checks"].append({"check": "face_match", "action": required, "reason": reason})
    raw["check_actions"]["face_quality"] = {"fail": upstream_action}
    e = PolicyEngine(raw, catalogue, registry)
    blurry = _r("face_quality", Outcome.FAIL, 0.1, ("FACE_QUALITY_LOW",))
    d = decide(e, [_r("image_usability", Outcome.PASS), blurry, _skipped("face_match", ["face_quality"])])
    assert d.decision is expected and reason in d.reason_codes


def test_a_requirement_naming_no_installed_check_stops_the_start(settings, tmp_path):
    """A typo in an operator's policy file must not quietly waive the requirement."""
    from openidv.runtime import Runtime

    raw = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "src/openidv/policy/data/policy.yaml").read_text()
    )
    raw["required_checks"].append({"check": "face_macth", "action": "resubmit", "reason": "MISSING_CAPTURE"})
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="face_macth"):
        Runtime.build(settings.model_copy(update={"policy_file": policy}), with_store=False)
