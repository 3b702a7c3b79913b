"""Synthetic identity documents: templates, rendering, capture simulation and forgery families.

Everything is seeded: the same (template, identity seed, capture seed) always gives the same image.
Templates and capture conditions are split into train and held-out families (see ``splits``) so that
models are always evaluated on layouts and conditions they never saw.
"""
