"""The ``openidv`` command line. Core commands live here; capabilities mount theirs as plugins."""
