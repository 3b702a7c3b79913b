"""Synthetic demo cohort and drawn stand-in images (no real personal data)."""
