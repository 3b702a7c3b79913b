"""Metric families: verification (ISO/IEC 19795-1), PAD (ISO/IEC 30107-3), classifiers, 1:N search."""
