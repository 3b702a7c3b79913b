"""Document authenticity: tamper / recapture detection, template matching, portrait forensics."""
