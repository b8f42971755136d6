"""End to end: `analyze` on the bundled samples and on real footage.

The samples are rendered with known reps and holds (their .truth.json), so
counts must be exact there; on the real clips the MANIFEST gives the counts
and one rep of slack is allowed.
"""

from __future__ import annotations

import csv
import html as html_lib
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from posturecam.analysis import analyze_clip
from posturecam.coverage import OutlineCheck
from posturecam.landmarks import L
from posturecam.pipeline import Pipeline
from posturecam.report import write_report
from posturecam.sides import LegLabelStats, LegResolver

pytestmark = pytest.mark.slow


def _truth(samples_dir: Path, name: str) -> dict:
    return json.loads((samples_dir / f"{name}.truth.json").read_text())["motion"]


@pytest.fixture(scope="module")
def analysed(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    cache: dict[tuple[str, str], dict] = {}

    def run(name: str, exercise: str) -> dict:
        key = (name, exercise)
        if key not in cache:
            out = tmp_path_factory.mktemp(name)
            res = analyze_clip(samples_dir / f"{name}.mp4", out, exercise, video=False, landmarks=False)
            with open(out / "frames.csv") as f:
                rows = list(csv.DictReader(f))
            cache[key] = {"summary": res.summary, "rows": rows, "lines": res.lines}
        return cache[key]

    return run


def test_lunge_sample_counts_reps_per_front_leg(samples_dir: Path, analysed) -> None:
    truth = _truth(samples_dir, "lunge_side")
    got = analysed("lunge_side", "lunge")["summary"]
    expected = {"left": 0, "right": 0}
    for rep in truth["reps"]:
        expected[rep["front_leg"]] += 1
    assert got["rep_count"] == {**expected, "total": truth["rep_count"]}
    assert [r["side"] for r in got["reps"]] == [r["front_leg"] for r in truth["reps"]]
    for rep in got["reps"]:
        assert 70 <= rep["bottom_front_knee_deg"] <= 110


def test_bridge_sample_counts_reps_and_times_the_hold(samples_dir: Path, analysed) -> None:
    truth = _truth(samples_dir, "bridge_side")
    got = analysed("bridge_side", "bridge")["summary"]
    assert got["rep_count"]["total"] == truth["rep_count"]
    assert got["frames_with_person"] / got["frames"] >= 0.95
    for rep, hold in zip(got["reps"], truth["holds"], strict=True):
        assert rep["hold_s"] == pytest.approx(hold["end_s"] - hold["start_s"], abs=1.0)
        assert rep["top_hip_deg"] == pytest.approx(180, abs=8)


def test_stretch_sample_times_each_side(samples_dir: Path, analysed) -> None:
    truth = _truth(samples_dir, "hip_flexor_stretch_side")
    got = analysed("hip_flexor_stretch_side", "stretch")["summary"]
    assert [h["side"] for h in got["holds"]] == [h["front_leg"] for h in truth["holds"]]
    for h, t in zip(got["holds"], truth["holds"], strict=True):
        assert h["duration_s"] == pytest.approx(t["end_s"] - t["start_s"], abs=1.0)
        assert h["back_hip_extension_deg"] > 5
    # The sample is 15 fps: too slow for a stretch's frames to be mirrored (``pipeline.MIRROR_MIN_FPS``).
    assert got["every_other_frame_mirrored"] is False


def test_frames_csv_has_the_contract_columns(analysed) -> None:
    rows = analysed("lunge_side", "lunge")["rows"]
    for col in [
        "frame",
        "time_s",
        "person",
        "side",
        "phase",
        "rep",
        "cue",
        "left_knee_deg",
        "right_knee_deg",
        "left_hip_deg",
        "right_hip_deg",
        "trunk_lean_deg",
        "pelvic_obliquity_deg",
        "shoulder_tilt_deg",
    ]:
        assert col in rows[0]
    times = [float(r["time_s"]) for r in rows]
    assert all(b > a for a, b in itertools.pairwise(times))


def test_summary_has_the_contract_fields(analysed) -> None:
    s = analysed("bridge_side", "bridge")["summary"]
    for key in ("exercise", "frames", "frames_with_person", "fps", "duration_s", "rep_count", "reps", "holds", "cues"):
        assert key in s
    assert len(s["model"]["sha256"]) == 64


def test_frames_jsonl_says_where_the_hip_angles_were_measured(samples_dir: Path, tmp_path: Path) -> None:
    """With the outline on (a bridge), each side-view frame records the hip centre it measured at,
    next to the hip landmarks it was moved from, so the landmarks alone do not mislead a reader."""
    analyze_clip(samples_dir / "bridge_side.mp4", tmp_path, "bridge", video=False)
    recs = [json.loads(line) for line in (tmp_path / "frames.jsonl").read_text().splitlines()]
    with_person = [r for r in recs if "landmarks_px" in r]
    placed = [r for r in with_person if "hip_centre_px" in r]
    assert len(placed) >= 0.9 * len(with_person) > 0
    for r in placed:
        pts = np.array(r["landmarks_px"])
        mid = (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2
        thigh = np.linalg.norm(pts[L.LEFT_KNEE] - pts[L.LEFT_HIP])
        assert np.linalg.norm(np.array(r["hip_centre_px"]) - mid) < 0.2 * thigh


def test_steady_legs_are_not_flagged(analysed) -> None:
    """The side-view lunge sample: the model names the legs right, so there is no note."""
    res = analysed("lunge_side", "lunge")
    legs = res["summary"]["legs"]
    assert legs["side_view_frames"] > 100
    assert legs["relabelled_share"] < 0.05 and legs["unsteady"] is False
    assert res["summary"]["knees_on_outline"] is True  # analyze places a lunge's knees on the outline too
    assert res["summary"]["every_other_frame_mirrored"] is True
    assert not any("hard to tell apart" in line for line in res["lines"])
    assert res["summary"]["legs_unseen"] == {"frames": 0, "share": 0.0, "note": None}  # both legs always seen
    assert res["summary"]["small_in_frame"] == {"frames": 0, "share": 0.0, "note": None}  # found in the whole frame
    off_side = res["summary"]["off_side"]  # filmed square from the side: no note
    assert off_side["frames"] > 100 and off_side["median_deg"] < 10 and off_side["note"] is None


class _UnsteadyLegs(LegResolver):
    """Reports the relabelling a high camera gives (measured: 29% of side-on frames on a lunge from 1.25 m)."""

    def stats(self) -> LegLabelStats:
        return LegLabelStats(side_view_frames=130, relabelled_frames=38)


def test_unsteady_legs_reach_the_summary_the_lines_and_the_report(samples_dir: Path, tmp_path: Path) -> None:
    pipe = Pipeline.create("lunge", lookahead=True)
    pipe.legs = _UnsteadyLegs()
    with pipe:
        res = analyze_clip(samples_dir / "lunge_side.mp4", tmp_path, "lunge", video=False, landmarks=False,
                           pipeline=pipe)
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["legs"]["unsteady"] is True and written["legs"]["relabelled_share"] == 0.292
    assert any("hard to tell apart" in line and "29%" in line for line in res.lines)
    html = html_lib.unescape(write_report(tmp_path).read_text())
    assert "per-side numbers may be swapped" in html


def test_legs_left_unmeasured_reach_the_summary_the_lines_and_the_report(samples_dir: Path, tmp_path: Path) -> None:
    """A check that fires on every side-on frame: no knee angle is written, and the user is told why."""
    pipe = Pipeline.create("lunge", lookahead=True)
    pipe.limb_check = OutlineCheck(bone_half_width=0.0, min_area=0.0, min_reach=0.0)
    with pipe:
        res = analyze_clip(samples_dir / "lunge_side.mp4", tmp_path, "lunge", video=False, landmarks=False,
                           pipeline=pipe)
    unseen = json.loads((tmp_path / "summary.json").read_text())["legs_unseen"]
    assert unseen["frames"] > 0.9 * res.summary["frames_with_person"] and unseen["share"] > 0.9
    with open(tmp_path / "frames.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    people = [r for r in rows if r["person"] == "1"]
    assert len(people) > 50 and not any(r["left_knee_deg"] or r["right_hip_deg"] for r in people)
    assert all(r["trunk_lean_deg"] for r in people[5:-5])  # the rest of the body is still measured
    assert any("did not match your outline" in line for line in res.lines)
    assert "did not match your outline" in html_lib.unescape(write_report(tmp_path).read_text())
    # The feet are in the picture: no "step back" (it was the most frequent cue in such clips).
    assert "view.step_back" not in res.summary["cues"], res.summary["cues"]


def test_bridges_resting_above_the_lowered_threshold_are_counted(tmp_path: Path) -> None:
    """Bridges filmed from 1 m up (``python -m posturecam.synthetic clip --motion bridge``'s camera):
    lowered to 140 degrees, the near hip reads 147 in the picture and 151-152 as measured, above the
    148 that ends a rep. Counted from where the hips rest still; none were before."""
    from posturecam.synthetic import render_clip
    from posturecam.synthetic.camera import Camera
    from posturecam.synthetic.motions import Bridge

    clip = tmp_path / "bridge_1m.mp4"
    camera = Camera(width=640, height=360, height_m=1.0, pitch_deg=None, hfov_deg=62.0)
    truths = render_clip(Bridge(reps=3, hold_s=2.0), 11.0, 15.0, clip, camera=camera, write_truth=False)
    assert 146 < truths[0].angles["right_hip_deg"] < 148  # the near hip, lying flat
    res = analyze_clip(clip, tmp_path / "out", "bridge", video=False, landmarks=False)
    with open(tmp_path / "out" / "frames.csv", newline="") as f:
        resting = [float(r["right_hip_deg"]) for r in itertools.islice(csv.DictReader(f), 12)]
    assert min(resting) > 148  # why: the fixed threshold alone never sees the hips lowered
    assert res.summary["rep_count"]["total"] == 2  # the two that end within the 11 s
    assert [round(r["start_s"]) for r in res.summary["reps"]] == [1, 7]


# Real footage: counts from ../shared/clips/MANIFEST.tsv, one rep of slack.
REAL_COUNTS = [
    ("B02_darebee_bridge_side.mp4", "bridge", 5),
    ("B04_glute_bridges_bedroom_side.mp4", "bridge", 3),
    ("L05_outdoor_lunges_front.mp4", "lunge", 5),
]


@pytest.mark.shared
@pytest.mark.parametrize(("clip", "exercise", "reps"), REAL_COUNTS)
def test_real_clip_rep_counts(shared_clips: Path, tmp_path: Path, clip: str, exercise: str, reps: int) -> None:
    res = analyze_clip(shared_clips / clip, tmp_path, exercise, video=False, landmarks=False)
    assert abs(res.summary["rep_count"]["total"] - reps) <= 1
    assert res.summary["frames_with_person"] / res.summary["frames"] >= 0.9
    # The feet are in the picture in all of these: "step back" would be a false alarm
    # (B04 asked for it in half its frames while the far foot hid behind the near one).
    assert "view.step_back" not in res.summary["cues"], res.summary["cues"]


def test_a_photo_is_analysed_and_annotated_as_a_picture(samples_dir: Path, tmp_path: Path) -> None:
    """Physiotherapists often have a still photo of a standing posture, not a clip."""
    import cv2

    cap = cv2.VideoCapture(str(samples_dir / "standing_side.mp4"))
    ok, image = cap.read()
    cap.release()
    assert ok
    photo = tmp_path / "posture.jpg"
    cv2.imwrite(str(photo), image)
    res = analyze_clip(photo, tmp_path / "out", "standing")
    assert res.summary["frames"] == 1 and res.summary["frames_with_person"] == 1
    annotated = cv2.imread(str(tmp_path / "out" / "annotated.png"))
    assert annotated is not None and annotated.shape == image.shape
    assert float(cv2.absdiff(annotated, image).mean()) > 1.0  # the overlay is drawn on it
    assert not (tmp_path / "out" / "annotated.mp4").exists()


def test_a_photo_with_nobody_in_it_says_so_and_judges_nothing(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    wall = np.tile(np.linspace(90, 170, 640, dtype=np.uint8), (480, 1))
    photo = tmp_path / "empty.png"
    cv2.imwrite(str(photo), cv2.merge([wall, wall, wall]))
    res = analyze_clip(photo, tmp_path / "out", "standing", video=False)
    assert res.summary["frames_with_person"] == 0
    assert res.lines[0] == "Nobody was found in this photo."
    assert not any(line.startswith("In this photo:") for line in res.lines), res.lines
    assert "photo_faults" not in res.summary


@pytest.mark.parametrize(("faults", "expected"), [((), set()), (("head_forward",), {"standing.head_forward"})])
def test_a_photo_is_judged_from_its_one_frame(tmp_path: Path, faults: tuple[str, ...], expected: set[str]) -> None:
    """In a clip a fault must last (1 s for standing) before it is cued; a photo has no time to wait."""
    import cv2

    from posturecam.synthetic import Camera, Standing, render_clip

    clip = tmp_path / "standing.mp4"
    render_clip(Standing(seconds=0.4, faults=faults), seconds=0.4, fps=5.0, path=clip,
                camera=Camera(width=640, height=720), facing="right")
    cap = cv2.VideoCapture(str(clip))
    ok, image = cap.read()
    cap.release()
    assert ok
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), image)
    res = analyze_clip(photo, tmp_path / "out", "standing", video=False)
    assert set(res.summary["photo_faults"]) == expected, res.summary
    assert any(line.startswith("In this photo:") for line in res.lines)


def test_ctrl_c_between_handing_over_and_counting_keeps_the_summary_true(
    samples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C can land just after a frame is queued for writing; the summary must count the rows on disk.

    CI once saw 66 rows against "frames": 65 when the signal fell there by chance;
    this puts it there on purpose.
    """
    from posturecam.analysis import OutputStage

    real_put = OutputStage.put
    calls = itertools.count(1)

    def put_then_interrupt(self: OutputStage, result) -> None:
        real_put(self, result)
        if next(calls) == 20:
            raise KeyboardInterrupt

    monkeypatch.setattr(OutputStage, "put", put_then_interrupt)
    res = analyze_clip(samples_dir / "lunge_side.mp4", tmp_path, "lunge", video=False, landmarks=False)
    rows = (tmp_path / "frames.csv").read_text().splitlines()[1:]
    assert res.interrupted
    assert len(rows) == res.summary["frames"] >= 20
    assert res.summary["frames_with_person"] == sum(row.split(",")[2] == "1" for row in rows)
