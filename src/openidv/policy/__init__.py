"""Decisions as data: the policy file, threshold sets and the reason-code catalogue."""

from openidv.policy.engine import EffectivePolicy, PolicyEngine
from openidv.policy.reason_codes import ReasonCatalogue, ReasonCode
from openidv.policy.thresholds import ThresholdRegistry, ThresholdSet, ThresholdView

__all__ = [
    "EffectivePolicy",
    "PolicyEngine",
    "ReasonCatalogue",
    "ReasonCode",
    "ThresholdRegistry",
    "ThresholdSet",
    "ThresholdView",
]
