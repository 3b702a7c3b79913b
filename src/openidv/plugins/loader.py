"""Entry-point discovery of plugins."""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points

from openidv.errors import ConfigError
from openidv.plugins.base import Plugin

GROUP = "openidv.plugins"
log = logging.getLogger(__name__)


def load_plugins(enabled: list[str] | None = None) -> list[Plugin]:
    """Load installed plugins in name order; `enabled` restricts to those names.

    A plugin that fails to import is a configuration error, not something to skip silently: a
    deployment that silently lost its liveness check would approve spoofs.
    """
    found: dict[str, Plugin] = {}
    for ep in entry_points(group=GROUP):
        if enabled is not None and ep.name not in enabled:
            continue
        try:
            obj = ep.load()
        except Exception as exc:  # pragma: no cover - exercised only by broken installs
            raise ConfigError(f"plugin {ep.name!r} failed to load: {type(exc).__name__}") from exc
        plugin = obj() if callable(obj) and not isinstance(obj, Plugin) else obj
        if not isinstance(plugin, Plugin):
            raise ConfigError(f"entry point {ep.name!r} is not an OpenIDV plugin")
        found[ep.name] = plugin
    if enabled is not None:
        missing = sorted(set(enabled) - set(found))
        if missing:
            raise ConfigError(f"enabled plugins not installed: {', '.join(missing)}")
    return [found[name] for name in sorted(found)]


@functools.cache
def installed_check_names() -> frozenset[str]:
    """Names of the checks every installed plugin provides, enabled or not (imports every plugin's
    checks once per process): what a policy may name and a deployment may have left out."""
    return frozenset(c.name for p in load_plugins(None) for c in p.checks())
