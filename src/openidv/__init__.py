"""OpenIDV: open, self-hostable identity verification.

Importing the package has no side effects: no models are loaded, no files are read and nothing
is registered until a pipeline, service or command asks for it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
