"""CLI: ``python -m posturecam.synthetic samples --out samples/``, ``... clip ...`` and ``... score CLIP``.

``clip`` renders a clip with its truth beside it; ``score`` runs the same
pipeline as ``posturecam analyze`` over such a clip and prints how far the
measured angles are from the truth, so anyone can try renders the tests have
never seen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from posturecam.synthetic.appearance import Appearance
from posturecam.synthetic.body import Body
from posturecam.synthetic.camera import Camera
from posturecam.synthetic.lying import KneeToChest, LyingFlat
from posturecam.synthetic.motions import Bridge, HipFlexorStretch, Lunge, Standing
from posturecam.synthetic.render import render_clip

SAMPLE_SIZE = (640, 360)
SAMPLE_FPS = 15.0


def samples(out: Path) -> list[Path]:
    """The small clips committed under samples/ (each well under 1 MB)."""
    cam = Camera(width=SAMPLE_SIZE[0], height=SAMPLE_SIZE[1])
    jobs = [
        ("lunge_side.mp4", Lunge(reps=4, front="alternate"), "side", "right"),
        ("bridge_side.mp4", Bridge(reps=3, hold_s=2.0), "side", "right"),
        ("hip_flexor_stretch_side.mp4", HipFlexorStretch(hold_s=8.0), "side", "left"),
        ("standing_front.mp4", Standing(seconds=4.0, faults=("pelvic_obliquity",)), "front", "right"),
        ("standing_side.mp4", Standing(seconds=4.0), "side", "left"),
    ]
    paths = []
    for name, motion, view, facing in jobs:
        p = out / name
        render_clip(motion, fps=SAMPLE_FPS, path=p, camera=cam, view=view, facing=facing)
        paths.append(p)
        print(f"{p}  {p.stat().st_size / 1024:.0f} KiB")
    return paths


def _motion(args: argparse.Namespace):
    faults = tuple(f for f in (args.faults or "").split(",") if f)
    if args.motion == "lunge":
        return Lunge(reps=args.reps, front=args.front, trunk_lean_deg=20.0 if "trunk_lean" in faults else 0.0,
                     knee_past_toes="knee_past_toes" in faults)
    if args.motion == "bridge":
        top_hip = 150.0 if "hips_too_low" in faults else 200.0 if "overarch" in faults else 180.0
        top_knee = 130.0 if "feet_too_far" in faults else 65.0 if "feet_too_close" in faults else 90.0
        return Bridge(reps=args.reps, hold_s=args.hold, top_hip_deg=top_hip, top_knee_deg=top_knee)
    if args.motion == "hip_flexor_stretch":
        lean = 20.0 if "trunk_forward" in faults else -15.0 if "trunk_back_arch" in faults else 0.0
        return HipFlexorStretch(hold_s=args.hold, trunk_lean_deg=lean, knee_forward="knee_forward" in faults)
    if args.motion in ("lying_flat", "lying_overhead"):
        return LyingFlat(seconds=args.seconds or 5.0, arms="overhead" if args.motion == "lying_overhead" else "sides")
    if args.motion == "knee_to_chest":
        return KneeToChest(holds=max(args.reps, 1), hold_s=args.hold)
    return Standing(seconds=args.seconds or 5.0, faults=faults)


def _exercise_of(clip: Path) -> str:
    """The ``--exercise`` for a rendered clip, from the motion its truth file names."""
    from posturecam.synthetic.motions import analyze_exercise
    from posturecam.synthetic.render import truth_path

    return analyze_exercise(json.loads(truth_path(clip).read_text()).get("motion", {}).get("exercise", ""))


def score(clips: list[Path], *, live: bool = False, as_json: bool = False, exercise: str | None = None,
          outline: bool | None = None) -> int:
    """Print each clip's per-angle error against its truth; 1 if a clip or its truth cannot be read.

    Each clip is analysed as ``analyze --exercise`` would for its motion (knees on the outline for
    bridges and stretches) unless ``exercise`` or ``outline`` says otherwise.
    """
    from posturecam.synthetic.evaluate import SIDE_ANGLES, score_clip
    from posturecam.synthetic.render import load_truths, truth_path

    keys = (*SIDE_ANGLES, "trunk_lean_deg")
    status = 0
    for clip in clips:
        try:
            truths = load_truths(clip)
        except (OSError, ValueError, KeyError) as exc:
            print(f"{clip}: cannot read its truth {truth_path(clip)} ({exc})")
            status = 1
            continue
        s = score_clip(clip, truths, lookahead=not live, keys=keys, exercise=exercise or _exercise_of(clip),
                       outline=False if live and outline is None else outline)
        if as_json:
            print(json.dumps({"clip": str(clip), **s.summary(keys)}))
            continue
        print(f"{clip}: person found in {s.detected}/{s.frames} frames; legs labelled by anatomy wrongly in "
              f"{s.swap_rate:.0%} of frames (the raw model: {s.raw_swap_rate:.0%})")
        print(f"  {'angle':16s} {'MAE':>6s} {'bias':>6s} {'frames':>7s}")
        for k in keys:
            print(f"  {k:16s} {s.mae(k):6.1f} {s.bias(k):+6.1f} {s.n(k):7d}")
    return status


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m posturecam.synthetic")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("samples", help="regenerate the sample clips")
    s.add_argument("--out", type=Path, default=Path("samples"))
    c = sub.add_parser("clip", help="render one clip with a truth json beside it")
    motions = ["lunge", "bridge", "hip_flexor_stretch", "standing", "lying_flat", "lying_overhead", "knee_to_chest"]
    c.add_argument("--motion", choices=motions, required=True)
    c.add_argument("--view", choices=["side", "front", "back"], default="side")
    c.add_argument("--facing", choices=["left", "right"], default="right")
    c.add_argument("--seconds", type=float, default=None, help="default: the motion's natural length")
    c.add_argument("--fps", type=float, default=30.0)
    c.add_argument("--width", type=int, default=1280)
    c.add_argument("--height", type=int, default=720)
    c.add_argument("--reps", type=int, default=3)
    c.add_argument("--front", choices=["left", "right", "alternate"], default="alternate")
    c.add_argument("--hold", type=float, default=2.0)
    c.add_argument("--faults", default="", help="comma list, e.g. knee_past_toes,trunk_lean")
    c.add_argument("--yaw", type=float, default=0.0, help="camera orbit, degrees")
    c.add_argument("--cam-height", type=float, default=1.0, help="lens height above the floor, metres")
    c.add_argument("--pitch", type=float, default=None,
                   help="camera tilt, degrees, + looks down (default: aimed at the body, as a person aims a phone)")
    c.add_argument("--fov", type=float, default=62.0)
    c.add_argument("--fill", type=float, default=0.75, help="fraction of the frame the body fills")
    c.add_argument("--body-height", type=float, default=1.75)
    c.add_argument("--girth", type=float, default=1.0)
    c.add_argument("--seed", type=int, default=None, help="random appearance")
    c.add_argument("--codec", default="mp4v")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--check", action="store_true", help="run MediaPipe on the clip and print detection/swap stats")
    sc = sub.add_parser("score", help="analyse a rendered clip and compare the angles with its truth json")
    sc.add_argument("clip", type=Path, nargs="+")
    sc.add_argument("--live", action="store_true", help="score live mode's smoothing instead of analyze's")
    sc.add_argument("--json", action="store_true", help="print one JSON object per clip")
    sc.add_argument("--exercise", default=None, help="analyse as this exercise (default: the clip's own motion)")
    sc.add_argument("--outline", action=argparse.BooleanOptionalAction, default=None,
                    help="knees and hips on the outline (default: as analyze does for the exercise; off with --live)")
    args = ap.parse_args(argv)
    if args.cmd == "samples":
        samples(args.out)
        return
    if args.cmd == "score":
        raise SystemExit(score(args.clip, live=args.live, as_json=args.json, exercise=args.exercise,
                               outline=args.outline))
    import numpy as np

    app = Appearance.random(np.random.default_rng(args.seed)) if args.seed is not None else Appearance()
    cam = Camera(width=args.width, height=args.height, yaw_deg=args.yaw, height_m=args.cam_height,
                 pitch_deg=args.pitch, hfov_deg=args.fov)
    motion = _motion(args)
    render_clip(motion, args.seconds, args.fps, args.out, body=Body(height_m=args.body_height, girth=args.girth),
                appearance=app, camera=cam, view=args.view, facing=args.facing, fill=args.fill, codec=args.codec)
    print(args.out)
    if args.check:
        from posturecam.synthetic.detect_check import check_clip

        r = check_clip(args.out)
        r.pop("swap_frames")
        print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
