"""The report is built from an analysis folder alone (summary.json + frames.csv), whatever state it is in.

Folders are written by hand here rather than by running the pose model: the
report must not depend on the pipeline, and this keeps the tests fast.
"""

from __future__ import annotations

import csv
import html as html_lib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from posturecam.errors import PosturecamError
from posturecam.outputs import CSV_COLUMNS
from posturecam.report import PNG_ANGLES, PNG_MEASURES, PNG_TRUNK, cue_episodes, read_frames, write_report

NO_REPS: dict[str, object] = {"reps": [], "rep_count": {"left": 0, "right": 0, "total": 0}}
LUNGE_TH = {"down_knee_deg": 120.0, "up_knee_deg": 155.0, "max_bottom_knee_deg": 110.0, "max_trunk_lean_deg": 20.0}


def _frames_csv(path: Path, n: int = 90, fps: float = 15.0, person: bool = True, **cols: object) -> None:
    t = np.arange(n) / fps
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for i in range(n):
            row: dict[str, object] = {k: "" for k in CSV_COLUMNS}
            row.update(frame=i, time_s=round(float(t[i]), 3), person=int(person), view="side")
            if person:
                knee = 170 - 80 * max(0.0, np.sin(t[i] * 1.2))
                row.update(
                    left_knee_deg=round(knee, 2),
                    right_knee_deg=round(knee + 8, 2),
                    left_hip_deg=175,
                    right_hip_deg=178,
                    trunk_lean_deg=round(5 + 20 * (2.0 < t[i] < 3.0), 2),
                )
            for k, v in cols.items():
                row[k] = v(i) if callable(v) else v
            w.writerow(row)


def _summary(path: Path, **extra: object) -> None:
    base: dict[str, object] = {
        "exercise": "lunge",
        "title": "Lunges",
        "thresholds": LUNGE_TH,
        "rep_count": {"left": 1, "right": 1, "total": 2},
        "reps": [
            {
                "side": "left",
                "start_s": 0.5,
                "end_s": 2.4,
                "cues": ["lunge.trunk_lean"],
                "bottom_front_knee_deg": 91.2,
                "bottom_back_knee_deg": 97.0,
            },
            {
                "side": "right",
                "start_s": 3.0,
                "end_s": 5.0,
                "cues": ["lunge.shallow"],
                "bottom_front_knee_deg": 118.0,
                "bottom_back_knee_deg": 120.0,
            },
        ],
        "holds": [],
        "cues": {"lunge.trunk_lean": 3, "lunge.shallow": 1, "good": 2, "view.step_back": 1},
        "measures": {},
        "clip": "/somewhere/my_lunges.mp4",
        "frames": 90,
        "frames_with_person": 90,
        "fps": 15.0,
        "duration_s": 6.0,
        "model": {"name": "blazepose-ghum-full (bundled)", "sha256": "0" * 64},
        "posturecam_version": "0.1.0",
        "interrupted": False,
        "truncated": False,
        "warning": None,
    }
    base.update(extra)
    path.write_text(json.dumps(base))


def _self_contained(html: str) -> None:
    assert not re.search(r"""(src|href)=["']?(https?:|//|[\w./-]+\.(png|css|js))""", html), "external asset"
    assert "<script" not in html


def test_lunge_report(tmp_path: Path) -> None:
    _summary(tmp_path / "summary.json")
    _frames_csv(
        tmp_path / "frames.csv", cue=lambda i: "lunge.trunk_lean" if 30 <= i < 45 else ("good" if i > 60 else "")
    )
    path = write_report(tmp_path)
    assert path == tmp_path / "report.html"
    html = path.read_text()
    _self_contained(html)
    html = html_lib.unescape(html)
    assert html.count("data:image/png;base64,") == 2
    for png in (PNG_ANGLES, PNG_TRUNK):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / PNG_MEASURES).exists()
    assert "my_lunges.mp4" in html and "Lunges" in html
    assert "1 with the left leg in front and 1 with the right" in html
    # Coaching texts come from the exercise definitions, most frequent first, with counts.
    assert html.index("Keep your torso upright") < html.index("Go a bit lower")
    assert "shown 3 times" in html
    assert "Step back so your feet are visible" in html  # the camera set-up, said apart from form
    assert "Good form" not in html.split("What to work on")[1].split("</ul>")[0]  # encouragement is not a fault
    md = (tmp_path / "report.md").read_text()
    assert "| 2 | Right |" in md and "118°" in md and f"]({PNG_ANGLES})" in md


def test_stretch_holds_against_target(tmp_path: Path) -> None:
    holds = [
        {
            "side": "left",
            "stretched_side": "right",
            "start_s": 0.0,
            "end_s": 31.0,
            "duration_s": 31.0,
            "target_s": 30.0,
            "cues": [],
            "back_hip_extension_deg": 14.0,
        },
        {
            "side": "right",
            "stretched_side": "left",
            "start_s": 35.0,
            "end_s": 47.0,
            "duration_s": 12.0,
            "target_s": 30.0,
            "cues": ["stretch.arched_back"],
            "back_hip_extension_deg": 9.0,
        },
    ]
    _summary(
        tmp_path / "summary.json",
        exercise="stretch",
        title="Kneeling hip-flexor stretch",
        **NO_REPS,
        holds=holds,
        cues={"stretch.arched_back": 2},
        thresholds={
            "target_hold_s": 30.0,
            "max_trunk_lean_deg": 15.0,
            "max_trunk_back_deg": 10.0,
            "min_back_hip_extension_deg": 10.0,
        },
    )
    _frames_csv(tmp_path / "frames.csv", n=60, left_thigh_behind_vertical_deg=12.0)
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert "Left leg in front (stretches the right hip): longest hold 31 s of 30 s; target reached" in html
    assert "18 s short of the target" in html
    assert "the target time was reached on 1" in html
    assert "tuck your pelvis under" in html


def test_standing_front_measures(tmp_path: Path) -> None:
    measures = {
        "pelvic_obliquity_deg": {"median": 7.8, "p10": 7.1, "p90": 8.4, "n": 50},
        "shoulder_tilt_deg": {"median": 0.5, "p10": -0.2, "p90": 1.0, "n": 50},
        "trunk_shift": {"median": 0.02, "p10": 0.0, "p90": 0.05, "n": 50},
    }
    _summary(
        tmp_path / "summary.json",
        exercise="standing",
        title="Standing posture",
        **NO_REPS,
        holds=[],
        measures=measures,
        cues={"standing.pelvic_obliquity": 1},
        thresholds={
            "max_pelvic_obliquity_deg": 4.0,
            "pelvic_obliquity_baseline_deg": 0.0,
            "max_shoulder_tilt_deg": 4.0,
            "max_trunk_shift_hip_widths": 0.3,
            "max_trunk_lean_deg": 10.0,
        },
    )
    _frames_csv(tmp_path / "frames.csv", n=50, view="front", pelvic_obliquity_deg=7.8, shoulder_tilt_deg=0.5)
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert (tmp_path / PNG_MEASURES).is_file() and (tmp_path / PNG_TRUNK).is_file()
    assert html.count("data:image/png;base64,") == 3
    assert "Hips level" in html and "beyond the coach's limit of ±4°" in html
    assert "Shoulders level" in html and "within the coach's limit" in html
    assert "Level your hips" in html


def test_interrupted_run_without_summary(tmp_path: Path) -> None:
    _frames_csv(tmp_path / "frames.csv", n=40)
    with open(tmp_path / "frames.csv", "a") as f:
        f.write("40,2.6")  # a row cut off mid-write by Ctrl+C
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert "no summary.json" in html.lower()
    assert "40 of 41" in html  # the cut-off row counts as a frame, not as one with a person
    assert (tmp_path / PNG_ANGLES).is_file()


def test_interrupted_and_truncated_notes(tmp_path: Path) -> None:
    _summary(
        tmp_path / "summary.json",
        interrupted=True,
        truncated=True,
        warning="clip.avi is truncated: decoded 68 of the 444 frames its header promises; analysed up to 4.50 s",
    )
    _frames_csv(tmp_path / "frames.csv", n=30)
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert "stopped early" in html and "analysed up to 4.50 s" in html


def test_nobody_found(tmp_path: Path) -> None:
    _summary(
        tmp_path / "summary.json",
        exercise="auto",
        title="Auto",
        exercises={},
        segments=[],
        **NO_REPS,
        cues={"view.no_person": 1},
        frames_with_person=0,
    )
    _frames_csv(tmp_path / "frames.csv", n=30, person=False, cue="view.no_person")
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert "Nobody was found" in html and "0 of 90" in html
    _self_contained(html)


def test_auto_summary(tmp_path: Path) -> None:
    lunge_sub = {"exercise": "lunge", "title": "Lunges", "thresholds": LUNGE_TH, "reps": [], "holds": [], "cues": {}}
    _summary(
        tmp_path / "summary.json",
        exercise="auto",
        title="Auto",
        exercises={"lunge": lunge_sub},
        segments=[{"exercise": "lunge", "start_s": 0.0, "end_s": 6.0}],
    )
    _frames_csv(tmp_path / "frames.csv")
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert "Recognised: Lunges" in html and "Keep your torso upright" in html


def test_not_an_analysis_folder(tmp_path: Path) -> None:
    with pytest.raises(PosturecamError, match="not a posturecam analysis folder"):
        write_report(tmp_path)
    with pytest.raises(PosturecamError, match="no analysis folder"):
        write_report(tmp_path / "missing")


def test_cue_episodes(tmp_path: Path) -> None:
    cues = ["", "a", "a", "", "b", "b", "b", "a"]
    _frames_csv(tmp_path / "frames.csv", n=len(cues), fps=10.0, cue=lambda i: cues[i])
    eps = cue_episodes(read_frames(tmp_path / "frames.csv"))
    assert [(c, round(a, 2), round(b, 2)) for c, a, b in eps] == [("a", 0.1, 0.3), ("b", 0.4, 0.7), ("a", 0.7, 0.7)]
