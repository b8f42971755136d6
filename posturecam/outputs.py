"""Writing results as they are produced: CSV rows, JSON lines, the summary.

Rows are streamed and flushed so memory stays flat on long clips and an
interrupted analysis keeps every frame it measured. The CSV columns are an
output contract (see README): never rename, only append.
"""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path
from typing import IO

import numpy as np

from posturecam.pipeline import FrameResult

ANGLE_COLUMNS = (
    "left_knee_deg",
    "right_knee_deg",
    "left_hip_deg",
    "right_hip_deg",
    "trunk_lean_deg",
    "pelvic_obliquity_deg",
    "shoulder_tilt_deg",
)
EXTRA_COLUMNS = (
    "view",
    "facing",
    "front_leg",
    "left_thigh_behind_vertical_deg",
    "right_thigh_behind_vertical_deg",
    "head_forward_deg",
    "hips_forward_of_ankles",
    "trunk_shift",
    "hold_s",
    "legs_swapped",
    "rotation_deg",
)
CSV_COLUMNS = ("frame", "time_s", "person", "side", "phase", "rep", "cue", *ANGLE_COLUMNS, *EXTRA_COLUMNS)
FLUSH_EVERY_FRAMES = 30


def _cell(v: object) -> object:
    if v is None:
        return ""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        return "" if not math.isfinite(v) else round(v, 2)
    return v


def frame_row(r: FrameResult) -> dict[str, object]:
    """One frame as a flat record (CSV row / JSON line)."""
    s, m = r.state, r.measures
    row: dict[str, object] = {
        "frame": r.index,
        "time_s": round(r.time_s, 3),
        "person": r.person,
        "side": s.side or (s.hold_side if s.hold is not None else None),
        "phase": s.phase,
        "rep": s.rep_count.get("total", 0),
        "cue": s.cue.id if s.cue else None,
        "hold_s": round(s.hold, 2) if s.hold is not None else None,
        "legs_swapped": r.legs_swapped if r.person else None,
        "rotation_deg": r.pose.rotation_deg if r.pose is not None else None,
    }
    for name in ANGLE_COLUMNS + EXTRA_COLUMNS:
        if name not in row:
            row[name] = getattr(m, name) if m is not None else None
    return row


class FrameWriter:
    """Streams frames.csv and frames.jsonl (the latter with landmarks, for researchers).

    Files are opened with a large buffer and flushed every ``FLUSH_EVERY_FRAMES``
    frames: one write system call per second of video, not per row, while a
    crash still loses at most that second. Rows are built once and formatted
    straight into both files (no per-row dict copies), because on long clips
    this runs tens of thousands of times.
    """

    def __init__(self, out_dir: Path, landmarks: bool = True) -> None:
        self._csv_f: IO[str] = open(out_dir / "frames.csv", "w", newline="", buffering=1 << 16)  # noqa: SIM115 (lives with the writer)
        self._csv = csv.writer(self._csv_f)
        self._csv.writerow(CSV_COLUMNS)
        self._json_f: IO[str] | None = open(out_dir / "frames.jsonl", "w", buffering=1 << 16) if landmarks else None  # noqa: SIM115
        self._dumps = json.JSONEncoder(separators=(",", ":")).encode
        self._n = 0

    def write(self, r: FrameResult) -> None:
        row = frame_row(r)
        cells = {k: _cell(v) for k, v in row.items()}
        self._csv.writerow([cells[k] for k in CSV_COLUMNS])
        if self._json_f is not None:
            rec: dict[str, object] = {k: (None if v == "" else v) for k, v in cells.items()}
            if r.pose is not None:
                rec["landmarks_px"] = np.round(r.pose.xy, 1).tolist()
                rec["visibility"] = np.round(r.pose.visibility, 3).tolist()
                if r.pose.hip_centre is not None:  # where a side view's hip angles were measured
                    rec["hip_centre_px"] = np.round(r.pose.hip_centre, 1).tolist()
            self._json_f.write(self._dumps(rec) + "\n")
        self._n += 1
        if self._n % FLUSH_EVERY_FRAMES == 0:
            self.flush()

    def flush(self) -> None:
        self._csv_f.flush()
        if self._json_f is not None:
            self._json_f.flush()

    def close(self) -> None:
        self._csv_f.close()
        if self._json_f is not None:
            self._json_f.close()


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON via a temporary file so a crash never leaves half a summary."""
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, default=_json_default)
        f.write("\n")
    os.replace(tmp, path)


def _json_default(o: object) -> object:
    if hasattr(o, "item"):
        return o.item()  # numpy scalar
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)
