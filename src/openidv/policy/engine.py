"""The decision engine: a versioned YAML policy turns check results into a decision.

Policy file (``policy/data/policy.yaml`` is the packaged default)::

    name: default
    version: "1.0.0"
    precedence: [decline, review, resubmit, approve]   # first = most severe; the worst action wins
    threshold_sets: {image_usability: image_usability}  # logical name -> threshold set name
    params: {minimum_age: 18}                           # values checks may read
    outcome_actions: {pass: approve, not_applicable: approve, review: review, fail: decline, error: review}
    check_actions: {image_usability: {fail: resubmit}}  # per-check outcome -> action
    reason_actions: {DOCUMENT_TAMPERED: decline}        # a reason code forces at least this action
    score_rules:                                        # score below a tuned threshold -> action
      - {check: face_match, below: face_match.match, action: decline, reason: FACE_MISMATCH}
    required_checks:                                    # must produce a result other than n/a
      - {check: image_usability, action: resubmit, reason: MISSING_CAPTURE}
    overrides:                                          # deep-merged in order when `match` holds
      - match: {flow: [high_risk_action]}
        set: {threshold_sets: {face_match: face_match_strict}}

An ``error`` outcome, or a reason code the catalogue lacks, can never lead to approval or to a
resubmit request without a human: whatever the file says (its outcome actions or its precedence),
the decision is then at least ``review`` (decline stays decline). ``approve`` must be the least
severe action. An override's ``match`` names ``country`` and/or ``flow`` as lists (countries ISO
3166 alpha-2 or alpha-3 upper case, flows from ``Flow``); anything else fails at load, as does a
score rule whose threshold set or key is missing.

A required check without a result adds its action and reason, except where it was skipped because
a check it depends on (directly or through other skipped checks) did not pass and that check's own
action already holds the session back: the applicant then hears the upstream reason alone. A
required check that the deployment does not run at all (its plugin not enabled, or the check
disabled) is waived, and the runtime says so in its start-up log (``waive_unloaded``).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from openidv.domain import CheckResult, Decision, DecisionKind, Outcome, Session
from openidv.errors import ConfigError
from openidv.policy.reason_codes import ReasonCatalogue
from openidv.policy.thresholds import ThresholdRegistry, ThresholdView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoreRule:
    check: str
    threshold_set: str
    threshold_key: str
    action: DecisionKind
    reason: str


@dataclass(frozen=True)
class RequiredCheck:
    check: str
    action: DecisionKind
    reason: str


@dataclass(frozen=True)
class EffectivePolicy:
    """The policy after overrides for one country and flow."""

    name: str
    version: str
    precedence: tuple[DecisionKind, ...]
    threshold_sets: Mapping[str, str]
    params: Mapping[str, Any]
    outcome_actions: Mapping[Outcome, DecisionKind]
    check_actions: Mapping[str, Mapping[Outcome, DecisionKind]]
    reason_actions: Mapping[str, DecisionKind]
    score_rules: tuple[ScoreRule, ...]
    required_checks: tuple[RequiredCheck, ...]
    applied_overrides: tuple[int, ...] = field(default=())

    def worst(self, actions: Iterable[DecisionKind]) -> DecisionKind:
        rank = {a: i for i, a in enumerate(self.precedence)}
        return min(actions, key=lambda a: rank[a], default=DecisionKind.APPROVE)

    def at_least(self, action: DecisionKind, floor: DecisionKind) -> DecisionKind:
        return self.worst([action, floor])


def _deep_merge(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


_MATCH_KEYS = {"country", "flow"}


def _check_match(match: Any, where: str) -> None:
    """An override's `match`: a typo or an empty match would apply it to every session."""
    from openidv.domain import Flow

    if not isinstance(match, Mapping) or not match:
        raise ConfigError(f"policy {where}.match must name country and/or flow (an empty match applies everywhere)")
    unknown = set(match) - _MATCH_KEYS
    if unknown:
        raise ConfigError(f"policy {where}.match: unknown keys {sorted(unknown)} (use country, flow)")
    for key, values in match.items():
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"policy {where}.match.{key} must be a non-empty list of strings")
    for c in match.get("country", []):
        if c != c.upper() or not c.isalpha() or len(c) not in (2, 3):
            raise ConfigError(f"policy {where}.match.country: {c!r} is not an upper-case ISO 3166 code")
    bad_flows = [f for f in match.get("flow", []) if f not in {x.value for x in Flow}]
    if bad_flows:
        raise ConfigError(f"policy {where}.match.flow: unknown flows {bad_flows}")


def _matches(match: Mapping[str, Any], country: str | None, flow: str) -> bool:
    countries = match.get("country")
    flows = match.get("flow")
    if countries is not None and country not in countries:
        return False
    return flows is None or flow in flows


def _action(value: Any, where: str) -> DecisionKind:
    try:
        return DecisionKind(value)
    except ValueError:
        raise ConfigError(f"policy {where}: {value!r} is not one of {[d.value for d in DecisionKind]}") from None


# Parameters that are dates: checked when the policy loads (a typo must not silently drop a limit)
# and handed to checks as `datetime.date` (None: no limit).
DATE_PARAMS = ("legacy_id_valid_until",)


def _params(raw: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    for key in DATE_PARAMS:
        if key in out:
            out[key] = _date_param(out[key], f"params.{key}")
    return out


def _date_param(value: Any, where: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"policy {where}: {value!r} is not a date (YYYY-MM-DD) or null") from None


class PolicyEngine:
    """Loads a policy file once; resolves it per session; decides."""

    def __init__(self, raw: Mapping[str, Any], catalogue: ReasonCatalogue, thresholds: ThresholdRegistry) -> None:
        self._raw = dict(raw)
        self.catalogue = catalogue
        self.thresholds = thresholds
        self.loaded_checks: frozenset[str] | None = None  # set by waive_unloaded(); None: all enforced
        for key in ("name", "version", "precedence", "outcome_actions"):
            if key not in self._raw:
                raise ConfigError(f"policy file lacks {key!r}")
        # Resolve every variant now so that a broken override fails at start, not on a live session.
        self._validate(self._build(self._raw, ()))
        overrides = self._raw.get("overrides") or []
        if not isinstance(overrides, list):
            raise ConfigError("policy overrides must be a list")
        for i, ov in enumerate(overrides):
            if not isinstance(ov, Mapping):
                raise ConfigError(f"policy overrides[{i}] must be a mapping with match and set")
            _check_match(ov.get("match"), f"overrides[{i}]")
            self._validate(self._build(_deep_merge(self._raw, ov.get("set") or {}), (i,)))

    def waive_unloaded(self, loaded: Iterable[str]) -> list[str]:
        """Tell the engine which checks this deployment runs; return the required checks it does not
        (the runtime refuses to start when one of those is provided by no installed plugin).

        A deployment that leaves a plugin out (``enabled_plugins``) or disables a check
        (``disabled_checks``) has chosen not to make that check, so a requirement for it is
        waived rather than turning every session into "capture missing"; the runtime logs the
        waived names at start. A plugin that fails to import never gets here: that is a
        configuration error (``plugins/loader.py``)."""
        self.loaded_checks = frozenset(loaded)
        raw = [self._raw, *((_deep_merge(self._raw, ov.get("set") or {})) for ov in self._raw.get("overrides") or [])]
        required = {str(r.get("check")) for pol in raw for r in pol.get("required_checks") or []}
        return sorted(required - self.loaded_checks)

    @classmethod
    def from_file(cls, path: Path | None, catalogue: ReasonCatalogue, thresholds: ThresholdRegistry) -> PolicyEngine:
        if path is None:
            text = resources.files("openidv.policy").joinpath("data/policy.yaml").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        if not isinstance(raw, Mapping):
            raise ConfigError("policy file is not a mapping")
        return cls(raw, catalogue, thresholds)

    @property
    def version(self) -> str:
        return str(self._raw["version"])

    def resolve(self, country: str | None, flow: str) -> EffectivePolicy:
        merged: dict[str, Any] = {k: v for k, v in self._raw.items() if k != "overrides"}
        applied: list[int] = []
        for i, ov in enumerate(self._raw.get("overrides") or []):
            if _matches(ov["match"], (country or "").upper() or None, flow):
                merged = _deep_merge(merged, ov.get("set") or {})
                applied.append(i)
        return self._build(merged, tuple(applied))

    def _build(self, raw: Mapping[str, Any], applied: tuple[int, ...]) -> EffectivePolicy:
        try:
            return self._build_checked(raw, applied)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a malformed file: a typed error
            raise ConfigError(f"policy file is malformed: {type(exc).__name__} {exc}") from None

    def _build_checked(self, raw: Mapping[str, Any], applied: tuple[int, ...]) -> EffectivePolicy:
        precedence = tuple(_action(a, "precedence") for a in raw["precedence"])
        if set(precedence) != set(DecisionKind) or len(precedence) != len(DecisionKind):
            raise ConfigError("policy precedence must list every decision exactly once")
        if precedence[-1] is not DecisionKind.APPROVE:
            raise ConfigError("policy precedence must end with approve (the least severe action)")
        outcome_actions = {Outcome(k): _action(v, f"outcome_actions.{k}") for k, v in raw["outcome_actions"].items()}
        missing = set(Outcome) - set(outcome_actions)
        if missing:
            raise ConfigError(f"policy outcome_actions lacks {sorted(m.value for m in missing)}")
        check_actions = {
            check: {Outcome(o): _action(a, f"check_actions.{check}.{o}") for o, a in acts.items()}
            for check, acts in (raw.get("check_actions") or {}).items()
        }
        reason_actions = {c: _action(a, f"reason_actions.{c}") for c, a in (raw.get("reason_actions") or {}).items()}
        rules = []
        for r in raw.get("score_rules") or []:
            set_name, _, key = str(r["below"]).partition(".")
            if not key:
                raise ConfigError(f"score rule for {r['check']}: 'below' must be '<set>.<key>'")
            rules.append(ScoreRule(r["check"], set_name, key, _action(r["action"], "score_rules"), r["reason"]))
        required = tuple(
            RequiredCheck(
                r["check"],
                _action(r.get("action", "review"), "required_checks"),
                r.get("reason", "REQUIRED_CHECK_MISSING"),
            )
            for r in raw.get("required_checks") or []
        )
        return EffectivePolicy(
            name=str(raw["name"]),
            version=str(raw["version"]),
            precedence=precedence,
            threshold_sets=dict(raw.get("threshold_sets") or {}),
            params=_params(raw.get("params") or {}),
            outcome_actions=outcome_actions,
            check_actions=check_actions,
            reason_actions=reason_actions,
            score_rules=tuple(rules),
            required_checks=required,
            applied_overrides=applied,
        )

    def _validate(self, policy: EffectivePolicy) -> None:
        codes = list(policy.reason_actions) + [r.reason for r in policy.score_rules]
        codes += [r.reason for r in policy.required_checks]
        unknown = self.catalogue.missing(codes)
        if unknown:
            raise ConfigError(f"policy uses reason codes missing from the catalogue: {unknown}")
        for set_name in policy.threshold_sets.values():
            self.thresholds.get(set_name)
        for rule in policy.score_rules:  # a missing set or key must fail here, not on every submit
            self.thresholds.get(policy.threshold_sets.get(rule.threshold_set, rule.threshold_set))[rule.threshold_key]

    def decide(
        self,
        session: Session,
        results: Mapping[str, CheckResult],
        policy: EffectivePolicy,
        thresholds: ThresholdView,
    ) -> Decision:
        """Combine all results into one decision; the most severe action wins."""
        contributions: list[tuple[DecisionKind, list[str]]] = []
        for result in results.values():
            contributions.append(self._judge_result(result, policy))
        for rule in policy.score_rules:
            contributions.extend(self._judge_score(rule, results.get(rule.check), thresholds, policy))
        for req in policy.required_checks:
            if self.loaded_checks is not None and req.check not in self.loaded_checks:
                continue  # waived: this deployment does not run the check (waive_unloaded)
            r = results.get(req.check)
            if (r is None or r.outcome is Outcome.NOT_APPLICABLE) and not self._held_back_upstream(
                req, results, policy
            ):
                contributions.append((req.action, [req.reason]))
        final = policy.worst(a for a, _ in contributions)
        unknown = self.catalogue.missing([c for _, codes in contributions for c in codes])
        errored = any(r.outcome is Outcome.ERROR for r in results.values())
        if (errored or unknown) and final in (DecisionKind.APPROVE, DecisionKind.RESUBMIT):
            # a check that could not judge, or a code nobody defined: a human looks, whatever the file's order
            contributions.append((DecisionKind.REVIEW, ["CHECK_ERROR"]))
            final = DecisionKind.REVIEW
        internal_codes = list(
            dict.fromkeys(c for a, codes in contributions if a is not DecisionKind.APPROVE for c in codes)
        )
        user_codes = list(dict.fromkeys(c for a, codes in contributions if a is final for c in codes))
        user, internal = self.catalogue.reasons(self._known(internal_codes))
        user, _ = self.catalogue.reasons(self._known(user_codes))
        return Decision(
            session_id=session.id,
            decision=final,
            user_reasons=user,
            internal_reasons=internal,
            policy=policy.name,
            policy_version=policy.version,
            threshold_versions=dict(thresholds.used),
            checks=list(results.values()),
        )

    def _judge_result(self, result: CheckResult, policy: EffectivePolicy) -> tuple[DecisionKind, list[str]]:
        action = (
            policy.check_actions.get(result.check, {}).get(result.outcome) or policy.outcome_actions[result.outcome]
        )
        codes = list(result.reason_codes)
        if result.outcome is Outcome.ERROR:
            action = policy.at_least(action, DecisionKind.REVIEW)
            if not codes:
                codes = ["CHECK_ERROR"]
        for code in codes:
            forced = policy.reason_actions.get(code)
            if forced is not None and result.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE):
                action = policy.worst([action, forced])
        return action, codes

    def _held_back_upstream(
        self, req: RequiredCheck, results: Mapping[str, CheckResult], policy: EffectivePolicy
    ) -> bool:
        """Whether a required check was skipped because a check it depends on did not pass and that
        check's own result already holds the session back at least as far as the requirement
        would (a blurry selfie: face_quality asks for a new one, face_match is skipped). Its reason
        is the one the applicant needs; a "capture missing" beside it would send them looking for a
        photo they did send. A check skipped for want of a capture (or any chain of skips ending
        there) is not held back."""
        name = req.check
        seen: set[str] = set()
        stack = [name]
        while stack:
            r = results.get(stack.pop())
            if r is None or r.check in seen:
                continue
            seen.add(r.check)
            upstream = r.evidence.get("upstream") if r.outcome is Outcome.NOT_APPLICABLE else None
            if isinstance(upstream, list):
                stack.extend(str(u) for u in upstream)
            elif r.outcome is not Outcome.NOT_APPLICABLE and r.check != name:
                action = self._judge_result(r, policy)[0]
                if action is not DecisionKind.APPROVE and policy.worst([action, req.action]) is action:
                    return True
        return False

    def _judge_score(
        self,
        rule: ScoreRule,
        result: CheckResult | None,
        thresholds: ThresholdView,
        policy: EffectivePolicy,
    ) -> list[tuple[DecisionKind, list[str]]]:
        if result is None or result.score is None or result.outcome in (Outcome.ERROR, Outcome.NOT_APPLICABLE):
            return []
        logical = rule.threshold_set
        threshold = thresholds.value(logical, rule.threshold_key)
        if result.score < threshold:
            return [(rule.action, [rule.reason])]
        return []

    def _known(self, codes: list[str]) -> list[str]:
        unknown = self.catalogue.missing(codes)
        if unknown:
            # A check emitted a code the catalogue lacks: a bug, but the session must still be safe.
            log.error("reason codes missing from the catalogue: %s", unknown)
            return [c for c in codes if c not in unknown] + ["CHECK_ERROR"]
        return codes
