"""Plugin registration of this capability: its checks, routes and commands."""

from __future__ import annotations

from openidv.plugins.base import BasePlugin


class FacePlugin(BasePlugin):
    name = "face"


plugin = FacePlugin()
