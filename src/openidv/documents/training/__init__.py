"""Training scripts for the documents capability's models (run with ``python -m``; need torch)."""
