"""Prometheus metrics, one registry per app (no global state shared between test apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from openidv.domain import Decision


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "openidv_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "openidv_http_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.decisions = Counter(
            "openidv_decisions_total", "Decisions by outcome", ["decision"], registry=self.registry
        )
        self.checks = Counter(
            "openidv_check_outcomes_total", "Check outcomes", ["check", "outcome"], registry=self.registry
        )
        self.check_latency = Histogram(
            "openidv_check_seconds",
            "Check latency",
            ["check"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 20),
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def observe_decision(self, decision: Decision) -> None:
        self.decisions.labels(decision.decision.value).inc()
        for r in decision.checks:
            self.checks.labels(r.check, r.outcome.value).inc()
            self.check_latency.labels(r.check).observe(r.latency_ms / 1e3)

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
