"""Errors of the evaluation layer.

Bad input (a missing column, an unknown label, an empty file) is the caller's mistake, not a bug:
it carries a one-line message that the CLI prints before exiting with status 2. It subclasses the
core :class:`~openidv.errors.BadRequest` so the top-level ``openidv`` entry point renders it the
same way if it ever escapes a command.
"""

from __future__ import annotations

from openidv.errors import BadRequest, OpenIDVError


class EvaluationInputError(BadRequest):
    """A score file, threshold file or option that cannot be evaluated as given."""

    code, title = "evaluation_input_invalid", "Evaluation input is invalid"


class TargetsInfeasible(OpenIDVError):
    """No threshold meets every requested target on this evaluation set."""

    code, status, title = "evaluation_targets_infeasible", 422, "No threshold meets every target"
