"""The telemetry JSON Schema and a small compiled validator for it.

The schema (``schema/telemetry-1.schema.json``, JSON Schema 2020-12) is the contract between the
capture client and the server. The validator here implements the subset of JSON Schema the file
uses (type, properties, required, additionalProperties, items, enum, const, minimum, maximum,
minLength, maxLength, minItems, maxItems, pattern, local ``$ref``, oneOf) and compiles the schema
once into closures, because a session carries thousands of events and validation sits on the
request path. A ``oneOf`` whose branches are told apart by the ``const``/``enum`` of one property
(``type`` here) is dispatched on that property instead of trying every branch; that is exactly the
``oneOf`` semantics when the discriminating values are distinct, just faster.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "schema/telemetry-1.schema.json"
SCHEMA_VERSION = "1"
MAX_ERRORS = 20

Validator = Callable[[Any, str, list[str]], None]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


class SchemaCompileError(ValueError):
    """The schema uses a keyword this validator does not implement (a bug in the schema file)."""


_SUPPORTED = {
    "$schema", "$id", "$defs", "title", "description", "type", "properties", "required",
    "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength", "maxLength",
    "minItems", "maxItems", "pattern", "$ref", "oneOf",
}


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Validator] = {}

    def ref(self, pointer: str) -> Validator:
        if pointer not in self.refs:
            if not pointer.startswith("#/"):
                raise SchemaCompileError(f"only local $ref is supported: {pointer}")
            node: Any = self.root
            for part in pointer[2:].split("/"):
                node = node[part]
            slot: list[Validator] = []
            self.refs[pointer] = lambda v, p, e: slot[0](v, p, e)  # allows recursion
            slot.append(self.compile(node))
        return self.refs[pointer]

    def compile(self, s: Mapping[str, Any]) -> Validator:
        unknown = set(s) - _SUPPORTED
        if unknown:
            raise SchemaCompileError(f"unsupported keywords {sorted(unknown)}")
        parts: list[Validator] = []
        if "$ref" in s:
            parts.append(self.ref(s["$ref"]))
        if "type" in s:
            parts.append(_type_check(s["type"]))
        parts.extend(_scalar_checks(s))
        if "properties" in s or "required" in s or "additionalProperties" in s:
            parts.append(self._object(s))
        if "items" in s or "minItems" in s or "maxItems" in s:
            parts.append(self._array(s))
        if "oneOf" in s:
            parts.append(self._one_of(s["oneOf"]))
        return _all(parts)

    def _object(self, s: Mapping[str, Any]) -> Validator:
        props = {k: self.compile(v) for k, v in (s.get("properties") or {}).items()}
        required = tuple(s.get("required") or ())
        extra = s.get("additionalProperties", True)
        extra_v = self.compile(extra) if isinstance(extra, Mapping) else None

        def check(v: Any, path: str, errors: list[str]) -> None:
            if not isinstance(v, dict):
                return
            for key in required:
                if key not in v:
                    errors.append(f"{path}: missing required property {key!r}")
            for key, value in v.items():
                sub = props.get(key)
                if sub is not None:
                    sub(value, f"{path}.{key}", errors)
                elif extra is False:
                    errors.append(f"{path}: unexpected property {str(key)[:40]!r}")
                elif extra_v is not None:
                    extra_v(value, f"{path}.{key}", errors)
                if len(errors) >= MAX_ERRORS:
                    return

        return check

    def _array(self, s: Mapping[str, Any]) -> Validator:
        item = self.compile(s["items"]) if "items" in s else None
        lo, hi = s.get("minItems"), s.get("maxItems")

        def check(v: Any, path: str, errors: list[str]) -> None:
            if not isinstance(v, list):
                return
            if lo is not None and len(v) < lo:
                errors.append(f"{path}: fewer than {lo} items")
            if hi is not None and len(v) > hi:
                errors.append(f"{path}: more than {hi} items")
                return
            if item is not None:
                for i, value in enumerate(v):
                    item(value, f"{path}[{i}]", errors)
                    if len(errors) >= MAX_ERRORS:
                        return

        return check

    def _one_of(self, branches: list[Mapping[str, Any]]) -> Validator:
        compiled = [self.compile(b) for b in branches]
        dispatch = self._discriminator(branches)
        if dispatch is not None:
            key, table = dispatch

            def by_key(v: Any, path: str, errors: list[str]) -> None:
                if not isinstance(v, dict):
                    errors.append(f"{path}: expected an object")
                    return
                index = table.get(_hashable(v.get(key)))
                if index is None:
                    errors.append(f"{path}: unknown {key} {str(v.get(key))[:40]!r}")
                    return
                compiled[index](v, path, errors)

            return by_key

        def one_of(v: Any, path: str, errors: list[str]) -> None:
            matches = 0
            for branch in compiled:
                trial: list[str] = []
                branch(v, path, trial)
                matches += not trial
            if matches != 1:
                errors.append(f"{path}: matches {matches} of the oneOf branches, expected exactly 1")

        return one_of

    def _discriminator(self, branches: list[Mapping[str, Any]]) -> tuple[str, dict[Any, int]] | None:
        """(property, value -> branch) when every branch pins one common property to distinct values."""
        resolved = [self._deref(b) for b in branches]
        table: dict[Any, int] = {}
        key = "type"
        for i, b in enumerate(resolved):
            prop = (b.get("properties") or {}).get(key) or {}
            if key not in (b.get("required") or ()):
                return None
            values = [prop["const"]] if "const" in prop else list(prop.get("enum") or [])
            if not values:
                return None
            for value in values:
                if _hashable(value) in table:
                    return None
                table[_hashable(value)] = i
        return key, table

    def _deref(self, s: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in s and len(s) == 1:
            node: Any = self.root
            for part in s["$ref"][2:].split("/"):
                node = node[part]
            s = node
        return s


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else json.dumps(value)


def _all(parts: list[Validator]) -> Validator:
    if len(parts) == 1:
        return parts[0]

    def check(v: Any, path: str, errors: list[str]) -> None:
        for part in parts:
            part(v, path, errors)

    return check


def _type_check(t: str | list[str]) -> Validator:
    names = [t] if isinstance(t, str) else list(t)
    tests = [_TYPES[n] for n in names]

    def check(v: Any, path: str, errors: list[str]) -> None:
        if not any(test(v) for test in tests):
            errors.append(f"{path}: expected {'/'.join(names)}")

    return check


def _scalar_checks(s: Mapping[str, Any]) -> list[Validator]:
    out: list[Validator] = []
    if "enum" in s:
        allowed = [_hashable(x) for x in s["enum"]]
        out.append(_pred(lambda v: _hashable(v) in allowed, f"not one of {s['enum']}"))
    if "const" in s:
        const = s["const"]
        out.append(_pred(lambda v: v == const and type(v) is type(const), f"must be {const!r}"))
    numeric = lambda v: isinstance(v, int | float) and not isinstance(v, bool)  # noqa: E731
    if "minimum" in s:
        lo = s["minimum"]
        out.append(_pred(lambda v: not numeric(v) or v >= lo, f"below minimum {lo}"))
    if "maximum" in s:
        hi = s["maximum"]
        out.append(_pred(lambda v: not numeric(v) or v <= hi, f"above maximum {hi}"))
    if "minLength" in s:
        n = s["minLength"]
        out.append(_pred(lambda v: not isinstance(v, str) or len(v) >= n, f"shorter than {n}"))
    if "maxLength" in s:
        m = s["maxLength"]
        out.append(_pred(lambda v: not isinstance(v, str) or len(v) <= m, f"longer than {m}"))
    if "pattern" in s:
        rx = re.compile(s["pattern"])
        out.append(_pred(lambda v: not isinstance(v, str) or rx.search(v) is not None, "does not match pattern"))
    return out


def _pred(test: Callable[[Any], bool], message: str) -> Validator:
    def check(v: Any, path: str, errors: list[str]) -> None:
        if not test(v):
            errors.append(f"{path}: {message}")

    return check


@lru_cache(maxsize=1)
def telemetry_schema() -> dict[str, Any]:
    """The packaged telemetry schema as a dict (read once)."""
    text = resources.files("openidv.behavior").joinpath(SCHEMA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def _compiled() -> Validator:
    schema = telemetry_schema()
    return _Compiler(schema).compile(schema)


def compile_schema(schema: Mapping[str, Any]) -> Validator:
    """Compile any schema written in the supported subset (used by tests)."""
    return _Compiler(schema).compile(schema)


def validate_telemetry(payload: Any) -> list[str]:
    """Schema errors of a telemetry payload (empty when valid); at most ``MAX_ERRORS`` are listed."""
    errors: list[str] = []
    _compiled()(payload, "$", errors)
    return errors[:MAX_ERRORS]
