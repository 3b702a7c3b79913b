"""Training and tuning scripts of the face capability (run as ``python -m openidv.face.training.X``)."""
