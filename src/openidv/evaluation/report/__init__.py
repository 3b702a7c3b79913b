"""Reports: self-contained HTML rendered from the JSON form of a result."""
