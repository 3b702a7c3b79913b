"""Mouse recordings in the Balabit layout, and the ``openidv behavior`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from openidv.behavior.balabit import parse_balabit, parse_balabit_counted, to_telemetry
from openidv.behavior.cli import app
from openidv.behavior.events import Pointer
from openidv.behavior.schema import validate_telemetry
from openidv.errors import ValidationFailed

from .conftest import bot

HEADER = "record timestamp,client timestamp,button,state,x,y\n"


def write_csv(path: Path, p: Pointer) -> Path:
    """A Pointer as a Balabit recording (seconds, Move/Pressed/Released rows)."""
    rows = [(t, "NoButton", "Move", x, y) for t, x, y in zip(p.t, p.x, p.y, strict=True)]
    rows += [(t, "Left", "Pressed", x, y) for t, x, y in zip(p.down_t, p.down_x, p.down_y, strict=True)]
    rows += [(t, "Left", "Released", 0, 0) for t in p.up_t]
    rows.sort(key=lambda r: r[0])
    text = HEADER + "".join(f"{t / 1000:.3f},{t / 1000:.3f},{b},{s},{int(x)},{int(y)}\n" for t, b, s, x, y in rows)
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_drops_sentinels_and_counts_scrolls() -> None:
    text = HEADER + ("0.0,0.0,NoButton,Move,10,10\n0.0,0.016,NoButton,Move,12,11\n"
                     "0.1,0.032,NoButton,Move,65535,65535\n0.2,0.2,Left,Pressed,12,11\n"
                     "0.3,0.31,Left,Released,12,11\n0.4,0.4,Scroll,Down,12,11\n0.5,0.5,NoButton,Drag,20,20\n")
    inter = parse_balabit(text)
    assert inter.mouse.n == 3 and inter.mouse.down_t.tolist() == [200.0] and inter.wheel == 1
    assert inter.mouse.t[0] == 0.0
    telemetry = to_telemetry(inter)
    assert validate_telemetry(telemetry) == []
    assert [e["type"] for e in telemetry["events"]] == ["move", "move", "down", "up", "move"]


def test_every_row_is_accounted_for_and_negative_coordinates_are_kept() -> None:
    text = HEADER + ("0.0,0.0,NoButton,Move,-300,10\n0.1,0.1,NoButton,Move,-290,12\n"
                     "0.2,0.2,NoButton,Move,abc,12\n0.3,0.3,NoButton\n\n"
                     "0.4,0.4,NoButton,Move,65535,65535\n0.5,0.5,NoButton,Move,250000,3\n"
                     "0.6,0.6,Left,Down,-280,12\n0.7,0.7,Scroll,Down,-280,12\n")
    inter, counts = parse_balabit_counted(text)
    assert inter.mouse.x.tolist() == [-300.0, -290.0] and inter.wheel == 1
    assert counts.as_dict() == {"data_rows": 8, "pointer": 2, "scrolls": 1, "malformed": 2, "off_screen": 2,
                                "other": 1, "first_malformed_line": 4}
    assert validate_telemetry(to_telemetry(inter)) == []


def test_a_stray_quote_or_empty_fields_spoil_one_row_only() -> None:
    rows = "".join(f"{i / 10:.1f},{i / 10:.1f},NoButton,Move,{i},{i}\n" for i in range(100))
    text = HEADER + "0.0,0.0,NoButton,Move,1,1\n" + '0.05,0.05,"NoButton,Move,2,2\n' + ",,,,,\n" + rows
    inter, counts = parse_balabit_counted(text)
    # the quote sits in the button column and spoils nothing; the empty row is malformed, on its own line
    assert counts.malformed == 1 and counts.first_malformed_line == 4 and counts.pointer == 102
    assert inter.mouse.n == 102


def test_any_line_ending_is_read_and_an_empty_file_is_refused() -> None:
    body = "0.0,0.0,NoButton,Move,1,1\r0.1,0.1,NoButton,Move,5,3\r"
    inter, counts = parse_balabit_counted(HEADER.replace("\n", "\r") + body)
    assert inter.mouse.n == 2 and counts.data_rows == 2
    with pytest.raises(ValidationFailed, match="no data rows"):
        parse_balabit(HEADER + "\n\n")


def test_a_recording_with_no_readable_row_is_refused_with_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "x,y,NoButton,Move,1,2\n0.1,0.1,NoButton,Move,one,2\n")
    with pytest.raises(ValidationFailed, match="none of its 2 data rows could be read \\(line 2"):
        parse_balabit(bad.read_text())
    res = CliRunner().invoke(app, ["score", str(bad)])
    assert res.exit_code == 1
    obj = json.loads(res.output.splitlines()[0])
    assert obj["decision"] is None and obj["error"]["code"] == "validation_failed"
    res = CliRunner().invoke(app, ["import-mouse-csv", str(bad)])
    assert res.exit_code == 1


def test_score_reports_what_became_of_a_csvs_rows(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "s.csv", bot("bezier", 3))
    csv.write_text(csv.read_text() + "9.9,9.9,NoButton,Move,?,?\n")
    res = CliRunner().invoke(app, ["score", str(csv)])
    obj = json.loads(res.output.splitlines()[0])
    assert obj["rows"]["malformed"] == 1 and obj["rows"]["pointer"] > 50
    res = CliRunner().invoke(app, ["import-mouse-csv", str(csv)])
    assert res.exit_code == 0 and "malformed rows skipped" in res.stderr


def test_other_files_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        parse_balabit("a,b,c\n1,2,3\n")


def test_import_command_writes_valid_telemetry(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "session_1", bot("bezier", 1))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["import-mouse-csv", str(csv), "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "session_1.telemetry.json").read_text())
    assert validate_telemetry(data) == [] and len(data["events"]) > 50
    res = CliRunner().invoke(app, ["import-mouse-csv", str(csv), "--window-s", "10"])
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert len(lines) >= 2 and all(validate_telemetry(x) == [] for x in lines)
    assert all(min(e["ts"] for e in x["events"]) >= 0 for x in lines)


def test_score_command_prints_one_object_per_file(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "bot_session", bot("linear_constant", 2))
    telemetry = tmp_path / "t.json"
    telemetry.write_text(json.dumps(to_telemetry(parse_balabit(csv.read_text()))))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    res = CliRunner().invoke(app, ["score", str(csv), str(telemetry), str(broken)])
    assert res.exit_code == 1
    objs = [json.loads(x) for x in res.output.splitlines()]
    assert len(objs) == 3
    for o in objs[:2]:
        assert o["decision"] == "bot" and o["bot_score"] > 0.9 and o["thresholds"].startswith("behavior_bot@")
    assert objs[0]["input"] == "mouse_csv" and objs[1]["input"] == "telemetry"
    assert objs[2]["error"]["code"] == "validation_failed" and objs[2]["bot_score"] is None


def test_short_input_is_review_with_null_score(tmp_path: Path) -> None:
    p = Pointer(np.array([0.0, 16.0]), np.array([5.0, 6.0]), np.array([5.0, 5.0]))
    res = CliRunner().invoke(app, ["score", str(write_csv(tmp_path / "tiny", p))])
    o = json.loads(res.output)
    assert res.exit_code == 0 and o["bot_score"] is None and o["decision"] == "review" and o["insufficient_data"]


def test_score_command_refuses_pathological_json_and_reads_a_bom_csv(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    big = tmp_path / "big.json"
    big.write_text('{"version": "1", "events": [], "x": ' + "9" * 5000 + "}")
    bom = write_csv(tmp_path / "bom", bot("linear_constant", 2))
    bom.write_text("\ufeff" + bom.read_text(encoding="utf-8"), encoding="utf-8")
    res = CliRunner().invoke(app, ["score", str(deep), str(big), str(bom)])
    objs = [json.loads(x) for x in res.output.splitlines()]
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert [o.get("error", {}).get("code") for o in objs[:2]] == ["validation_failed"] * 2
    assert objs[2]["input"] == "mouse_csv" and objs[2]["decision"] == "bot"


@pytest.mark.parametrize("bad", ["inf", "nan", "-1", "0.001"])
def test_import_window_must_be_whole_seconds_or_none(tmp_path: Path, bad: str) -> None:
    csv = write_csv(tmp_path / "s", bot("linear_constant", 2))
    res = CliRunner().invoke(app, ["import-mouse-csv", str(csv), "--window-s", bad])
    assert res.exit_code == 2 and "--window-s" in res.output
