"""Reject pathological JSON before the parser sees it.

Python's json module recurses per nesting level, so a body of 100,000 ``[`` would raise
RecursionError deep in the framework (a 500). The depth is measured here without recursion:
string literals are blanked with a regex, then a cumulative sum of bracket deltas gives the depth.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from openidv import errors

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
# a \u0000 escape not itself escaped (preceded by an even number of backslashes)
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_DELTA = np.zeros(256, dtype=np.int8)
_DELTA[ord("[")] = _DELTA[ord("{")] = 1
_DELTA[ord("]")] = _DELTA[ord("}")] = -1


def max_depth(body: bytes) -> int:
    stripped = _STRING.sub(b'""', body)
    if not stripped:
        return 0
    deltas = _DELTA[np.frombuffer(stripped, dtype=np.uint8)]
    return int(np.cumsum(deltas, dtype=np.int64).max(initial=0))


def parse_json(body: bytes, max_nesting: int) -> Any:
    """Parse a request body, raising MalformedJSON or JSONTooDeep with a clear message."""
    depth = max_depth(body)
    if depth > max_nesting:
        raise errors.JSONTooDeep(f"JSON nesting depth {depth} exceeds the limit of {max_nesting}")
    if _NUL_ESCAPE.search(body):
        # no field of ours holds a NUL, and PostgreSQL refuses one in text: refused for every store
        raise errors.MalformedJSON("NUL characters (\\u0000) are not accepted in JSON text")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.MalformedJSON(f"invalid JSON: {exc.msg if hasattr(exc, 'msg') else 'undecodable'}") from None
    except ValueError:  # an integer literal longer than Python's int-string limit (4,300 digits)
        raise errors.MalformedJSON("invalid JSON: a number is too long") from None
    except RecursionError:  # pragma: no cover - the depth check runs first
        raise errors.JSONTooDeep("JSON nesting too deep") from None
