"""Routers of the v1 API, one concern per module."""
