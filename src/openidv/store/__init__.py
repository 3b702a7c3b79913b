"""Persistence: SQLAlchemy models, encryption at rest, the hash-chained audit log, signals."""
