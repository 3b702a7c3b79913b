"""Document verification: MRZ, PDF417/AAMVA, visual zone, cross-checks, authenticity."""
