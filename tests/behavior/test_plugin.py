"""Plugin wiring: discovery, reason codes, thresholds with provenance, policy entries, hashed models."""

from __future__ import annotations

from openidv.plugins import load_plugins
from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry


def test_plugin_is_discovered_with_its_checks_routes_and_commands() -> None:
    (plugin,) = load_plugins(["behavior"])
    assert [c.name for c in plugin.checks()] == ["behavior_bot", "behavior_device", "behavior_velocity",
                                                 "behavior_replay"]
    assert [r.prefix for r in plugin.routers()] == ["/behavior"]
    assert set(plugin.commands()) == {"behavior"}


def test_every_code_is_catalogued_and_the_policy_loads() -> None:
    (plugin,) = load_plugins(["behavior"])
    extra = plugin.reason_catalogue()
    assert extra is not None
    catalogue = ReasonCatalogue.load(extra=[extra])
    codes = {code for c in plugin.checks() for code in c.reason_codes}
    assert not catalogue.missing(codes)
    engine = PolicyEngine.from_file(None, catalogue, ThresholdRegistry.load())
    policy = engine.resolve(None, "signup")
    assert policy.check_actions["behavior_bot"]
    assert {"behavior_bot", "behavior_device", "behavior_velocity", "behavior_replay"} <= set(
        policy.threshold_sets.values())


def test_thresholds_come_from_measured_tuning() -> None:
    reg = ThresholdRegistry.load()
    for name, keys in (("behavior_bot", {"bot", "review", "anomaly"}), ("behavior_device", {"link"}),
                       ("behavior_velocity", {"device.accounts.24h"}),
                       ("behavior_replay", {"max_distance", "min_strokes"})):
        ts = reg.get(name)
        assert keys <= set(ts.values) and ts.source.get("tool"), name


def test_models_are_hashed() -> None:
    from openidv.models.registry import model_path, read_manifest

    manifest = read_manifest("openidv.behavior")
    for name in ("bot_gbm", "behavior_anomaly", "device_link"):
        assert model_path("openidv.behavior", name).is_file()
        assert manifest[name].card and manifest[name].card.endswith(".md")
