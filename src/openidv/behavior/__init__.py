"""Capture-session intelligence: device risk, bot and behavioural anomaly scoring."""
