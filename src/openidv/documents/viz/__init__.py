"""Visual inspection zone: OCR of the printed fields and their normalisation."""
