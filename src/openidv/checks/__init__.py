"""Checks: the unit of verification work. See :mod:`openidv.checks.base` for the contract."""

from openidv.checks.base import BaseCheck, Check, CheckContext, Environment

__all__ = ["BaseCheck", "Check", "CheckContext", "Environment"]
