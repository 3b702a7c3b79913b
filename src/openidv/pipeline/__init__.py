"""Runs checks as a dependency DAG and hands their results to the decision engine."""

from openidv.pipeline.dag import topological_order
from openidv.pipeline.runner import Pipeline, PipelineRun

__all__ = ["Pipeline", "PipelineRun", "topological_order"]
