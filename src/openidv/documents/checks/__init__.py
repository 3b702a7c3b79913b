"""Document checks wired into the pipeline (each with its reason codes and evidence)."""

from openidv.documents.checks.authenticity import DocumentAuthenticityCheck
from openidv.documents.checks.barcode import DocumentBarcodeCheck
from openidv.documents.checks.consistency import DocumentConsistencyCheck, DocumentValidityCheck
from openidv.documents.checks.detect import DocumentDetectCheck
from openidv.documents.checks.mrz import DocumentMRZCheck
from openidv.documents.checks.viz import DocumentVIZCheck

__all__ = [
    "DocumentAuthenticityCheck",
    "DocumentBarcodeCheck",
    "DocumentConsistencyCheck",
    "DocumentDetectCheck",
    "DocumentMRZCheck",
    "DocumentVIZCheck",
    "DocumentValidityCheck",
]
