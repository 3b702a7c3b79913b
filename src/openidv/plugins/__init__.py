"""How capabilities (documents, face, liveness, ...) plug into the core without touching it."""

from openidv.plugins.base import BasePlugin, Plugin
from openidv.plugins.loader import load_plugins

__all__ = ["BasePlugin", "Plugin", "load_plugins"]
