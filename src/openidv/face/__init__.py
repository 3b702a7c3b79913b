"""Face biometrics: detection, quality, 1:1 match and 1:N de-duplication."""
