"""The telemetry schema and its compiled validator."""

from __future__ import annotations

import pytest

from openidv.behavior.schema import MAX_ERRORS, SchemaCompileError, compile_schema, telemetry_schema, validate_telemetry


def minimal() -> dict:
    return {"version": "1", "device": {"user_agent": "Mozilla/5.0", "timezone": "Europe/Paris"}, "network": {},
            "events": [{"type": "move", "ts": 1.0, "x": 3, "y": 4}, {"type": "down", "ts": 2, "x": 3, "y": 4},
                       {"type": "up", "ts": 3, "x": 3, "y": 4},
                       {"type": "key", "ts": 5, "dwell": 80, "class": "char", "field": "given_name"}]}


def test_valid_payload_has_no_errors() -> None:
    assert validate_telemetry(minimal()) == []
    assert validate_telemetry({}) == []  # everything optional


@pytest.mark.parametrize(("mutate", "fragment"), [
    (lambda p: p["events"].append({"type": "key", "ts": 1, "class": "char", "key": "a"}), "unexpected property 'key'"),
    (lambda p: p["events"].append({"type": "teleport", "ts": 1}), "unknown type"),
    (lambda p: p["events"].append({"type": "move", "ts": -1, "x": 0, "y": 0}), "below minimum"),
    (lambda p: p["events"].append({"type": "move", "ts": 1, "x": 0}), "missing required property 'y'"),
    (lambda p: p["device"].update(hardware_concurrency=2.5), "expected integer"),
    (lambda p: p["device"].update(canvas_hash="XYZ"), "does not match pattern"),
    (lambda p: p["device"].update(webdriver=True), "unexpected property"),
    (lambda p: p["network"].update(country="France"), "does not match pattern"),
    (lambda p: p.update(version="2"), "must be '1'"),
    (lambda p: p.update(events="nope"), "expected array"),
])
def test_invalid_payloads_are_reported(mutate, fragment: str) -> None:  # type: ignore[no-untyped-def]
    p = minimal()
    mutate(p)
    errors = validate_telemetry(p)
    assert any(fragment in e for e in errors), errors


def test_errors_are_capped_and_bools_are_not_numbers() -> None:
    p = minimal()
    p["events"] = [{"type": "move", "ts": True, "x": "a", "y": None}] * 100
    assert len(validate_telemetry(p)) == MAX_ERRORS
    assert validate_telemetry([1, 2]) == ["$: expected object"]


def test_one_of_without_discriminator_and_unsupported_keywords() -> None:
    schema = {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}
    check = compile_schema(schema)
    for value, ok in ((3, True), (12.5, True), (12, False), ("x", False)):
        errors: list[str] = []
        check(value, "$", errors)
        assert (errors == []) is ok, (value, errors)
    with pytest.raises(SchemaCompileError):
        compile_schema({"type": "object", "patternProperties": {}})


def test_schema_documents_every_event_type() -> None:
    schema = telemetry_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    branches = schema["$defs"]["event"]["oneOf"]
    assert len(branches) == 9
    assert all("description" in schema["$defs"][k] for k in ("device", "network"))
