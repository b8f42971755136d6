"""People small in the frame: found in a part of it, and followed there.

BlazePose's detector sees the whole frame shrunk to 224x224 and misses a
person a quarter of the frame tall (``posturecam/crops.py``). The search
then tries crops of the frame; these tests hold its geometry, its rhythm and
its guard against road traffic without the model, and on rendered clips show
what it gains, with the plain whole-frame detector as the control.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posturecam.analysis import analyze_clip
from posturecam.crops import (
    FULL_FRAME_SCALE,
    MIN_CROP_SCALE,
    SEARCH_CROP_SCALE,
    box_around,
    follow,
    search_crops,
    small_in_frame_json,
)
from posturecam.landmarks import LEG, NUM_LANDMARKS
from posturecam.orientation import OrientedDetector
from posturecam.pose import Box, Pose, PoseEstimator
from posturecam.synthetic import Appearance, Camera, HipFlexorStretch, Lunge, render_clip
from posturecam.synthetic.evaluate import SIDE_ANGLES, score_clip
from posturecam.video import VideoReader

W, H = 1280, 720


def _inside(box: Box, x0: float, y0: float, x1: float, y1: float) -> bool:
    return box[0] <= x0 and box[1] <= y0 and x1 <= box[2] and y1 <= box[3]


# -- geometry ---------------------------------------------------------------------------------------


def test_search_crops_cover_the_frame_centre_first() -> None:
    crops = search_crops(W, H)
    assert len(crops) == 9 and crops[0] == box_around(W / 2, H / 2, SEARCH_CROP_SCALE, W, H)
    for x0, y0, x1, y1 in crops:
        assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
        assert (x1 - x0, y1 - y0) == (W // 2, H // 2)
    # Anyone up to a quarter of the frame in size, anywhere, lies wholly inside one of them.
    rng = np.random.default_rng(0)
    for _ in range(200):
        x0, y0 = rng.uniform(0, W * 0.75), rng.uniform(0, H * 0.75)
        assert any(_inside(c, x0, y0, x0 + W / 4, y0 + H / 4) for c in crops)


def _person(cx: float, cy: float, extent: float) -> np.ndarray:
    """33 points spread over a box of ``extent`` of the frame's height, centred on (cx, cy)."""
    t = np.linspace(-0.5, 0.5, NUM_LANDMARKS)
    return np.stack([cx + t * extent * H * 0.6, cy + t[::-1] * extent * H], axis=1)


def test_a_followed_crop_stays_put_moves_near_its_edge_and_gives_way_to_the_whole_frame() -> None:
    crop = box_around(640, 360, 0.5, W, H)
    # Well inside and about the size the crop was cut for: unchanged (MediaPipe tracks in its coordinates).
    assert follow(_person(650, 350, 0.25), W, H, crop) == crop
    # Near the crop's right edge: a crop of the same scale, re-centred on the person.
    moved = follow(_person(900, 360, 0.25), W, H, crop)
    assert moved is not None and moved != crop and moved[2] - moved[0] == crop[2] - crop[0]
    assert abs((moved[0] + moved[2]) / 2 - 900) <= 1
    # Much smaller than the crop was cut for: a tighter crop, never below the minimum.
    tight = follow(_person(640, 360, 0.05), W, H, crop)
    assert tight is not None and (tight[2] - tight[0]) == round(W * MIN_CROP_SCALE)
    # Filling half the frame: the whole frame again.
    assert follow(_person(640, 360, FULL_FRAME_SCALE / 2 + 0.01), W, H, crop) is None
    # A crop is always kept inside the frame.
    corner = follow(_person(20, 700, 0.2), W, H, crop)
    assert corner is not None and corner[0] == 0 and corner[3] == H


def test_the_summary_says_when_the_person_was_small_in_the_picture() -> None:
    assert small_in_frame_json(0, 0) == {"frames": 0, "share": 0.0, "note": None}
    assert small_in_frame_json(20, 100)["note"] is None
    small = small_in_frame_json(90, 100)
    assert small["share"] == 0.9 and "closer" in str(small["note"])


# -- the search, without the model ------------------------------------------------------------------


class _SmallPerson:
    """A person the "model" finds only in a crop that holds all of them (too small in the whole frame)."""

    def __init__(self, xy: np.ndarray, sure_leg: bool = True) -> None:
        self.xy = xy
        self.sure_leg = sure_leg
        self.calls: list[tuple[int, Box | None]] = []

    def detect(self, image: np.ndarray, timestamp_ms: int, rotation_deg: int = 0,
               mirrored: bool = False, crop: Box | None = None) -> Pose | None:
        self.calls.append((rotation_deg, crop))
        lo, hi = self.xy.min(axis=0), self.xy.max(axis=0)
        if rotation_deg or crop is None or not _inside(crop, *lo, *hi):
            return None
        vis = np.ones(NUM_LANDMARKS)
        if not self.sure_leg:
            for chain in LEG.values():
                vis[list(chain)] = 0.2
        return Pose(self.xy.copy(), np.zeros(NUM_LANDMARKS), vis, np.ones(NUM_LANDMARKS),
                    np.zeros((NUM_LANDMARKS, 3)))


@pytest.fixture
def always_plausible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("posturecam.orientation.is_plausible", lambda pose, rules: True)


def test_a_small_person_is_found_in_a_crop_and_followed_with_one_inference_a_frame(always_plausible: None) -> None:
    img = np.zeros((H, W, 3), np.uint8)
    est = _SmallPerson(_person(1000, 450, 0.2))  # off-centre: not in the centre crop
    det = OrientedDetector(est)  # type: ignore[arg-type]
    found = [det.detect(img, i * 33) for i in range(40)]
    first = next(i for i, f in enumerate(found) if f is not None)
    # Turned, turned, then a crop in every third frame: the grid's nine crops take 27 frames at most.
    assert first < 27 and det.crop is not None
    # Followed: found in every frame after, one inference each, the crop holding the person.
    assert all(f is not None for f in found[first:])
    assert len(est.calls) - 2 * first <= 40 - first + 1
    # The person walks left across the frame: the crop follows.
    for step in range(60):
        est.xy = _person(1000 - 8 * step, 450, 0.2)
        assert det.detect(img, 5000 + step * 33) is not None, step
    assert det.crop is not None and det.crop[0] < 600


def test_a_person_lost_from_their_crop_is_searched_for_again_in_the_others(always_plausible: None) -> None:
    """Out of the followed crop at once (a cut in the clip, someone else's turn): the grid's crops again."""
    img = np.zeros((H, W, 3), np.uint8)
    est = _SmallPerson(_person(640, 360, 0.2))
    det = OrientedDetector(est)  # type: ignore[arg-type]
    for i in range(10):
        det.detect(img, i * 33)
    assert det.crop is not None and det.detect(img, 400) is not None
    est.xy = _person(200, 150, 0.2)  # the far corner, outside the crop in use
    found = [det.detect(img, 1000 + i * 33) for i in range(40)]
    assert found[0] is None and any(f is not None for f in found)
    assert det.crop is not None and _inside(det.crop, *est.xy.min(axis=0), *est.xy.max(axis=0))


def test_a_crop_find_without_a_sure_leg_is_not_a_person(always_plausible: None) -> None:
    """Road traffic cut to a part of the frame: skeletons with one sure arm and guessed legs (R04)."""
    img = np.zeros((H, W, 3), np.uint8)
    est = _SmallPerson(_person(640, 360, 0.2), sure_leg=False)
    det = OrientedDetector(est)  # type: ignore[arg-type]
    assert all(det.detect(img, i * 33) is None for i in range(30))
    assert det.crop is None and any(c is not None for _, c in est.calls)


# -- on rendered clips, with the model ----------------------------------------------------------------


def _small_clip(tmp_path: Path, motion: object, look: int, fill: float, seconds: float) -> tuple[Path, list]:
    path = tmp_path / f"small_{look}.mp4"
    truths = render_clip(motion, seconds=seconds, fps=10.0, path=path, write_truth=False,
                         appearance=Appearance.random(np.random.default_rng(look)),
                         camera=Camera(width=W, height=H, height_m=1.0, pitch_deg=None), facing="left", fill=fill)
    return path, truths


def _found(path: Path, enabled: bool) -> float:
    det = OrientedDetector(PoseEstimator(), enabled=enabled)
    n = found = 0
    with VideoReader(path) as reader:
        for f in reader:
            n += 1
            found += det.detect(f.image, round(f.time_s * 1000)) is not None
    det.close()
    return found / n


@pytest.mark.slow
@pytest.mark.parametrize(("motion", "seconds", "look", "fill", "limit_deg"), [
    (HipFlexorStretch(hold_s=1.0, switch_s=1.0), 4.0, 2, 0.2, 6.0),
    (Lunge(reps=1), 2.0, 5, 0.3, 5.0),
], ids=["kneeling_stretch_fifth_of_frame", "lunge_third_of_frame"])
def test_small_people_are_found_in_crops_and_measured(tmp_path: Path, motion: object, seconds: float, look: int,
                                                      fill: float, limit_deg: float) -> None:
    """A fifth to a third of a 720p frame tall: the whole frame finds nobody, the crops nearly every frame.

    Measured (2 s at 10 fps, six seeded looks each): kneeling stretches framed to a quarter
    of the frame 0-1 of 20 frames in the whole frame, 18-19 with the crops; lunges to a
    third 0-20 (five looks at half or under), 18-20. The frames missed are the search's first.
    Framed to a fifth (4 s, four looks): 0 of 40 in the whole frame; 38 of 40 with the
    crops in three looks, none in the fourth (the model's limit, crops or not).
    The angles then come as in any frame; a kneeling person that small has thighs of
    about 40 pixels, so a pixel or two of placement is several degrees (this stretch:
    knees 4.6/2.5 and hips 3.7/3.1 degrees off; the other two found 7.2/4.9/5.8/2.6 and
    5.3/2.9/4.2/3.2; the lunge 2.9/3.6 and 2.0/2.6).
    """
    path, truths = _small_clip(tmp_path, motion, look, fill, seconds)
    assert _found(path, enabled=False) <= 0.1  # the control: the whole frame alone
    assert _found(path, enabled=True) >= 0.85
    exercise = "stretch" if isinstance(motion, HipFlexorStretch) else "lunge"
    s = score_clip(path, truths, exercise=exercise)
    assert s.detection_rate >= 0.85
    for k in SIDE_ANGLES:
        assert s.mae(k) <= limit_deg, (k, s.summary())
    # analyze tells the user (the samples, found in the whole frame, do not: test_end_to_end).
    res = analyze_clip(path, tmp_path / "out", exercise, video=False)
    assert res.summary["small_in_frame"]["share"] >= 0.85  # type: ignore[index]
    assert any("small in the picture" in line for line in res.lines)
