"""PDF417 barcodes on driver licences and ID cards: decoding and AAMVA parsing."""
