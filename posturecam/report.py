"""A printable report from an analysis folder: ``report.html`` (self-contained) and ``report.md``.

The report reads only what the analysis left on disk (``summary.json`` and
``frames.csv``), never the pipeline's objects, so it works the same on a
folder from a finished run, an interrupted one, a clip that broke half-way,
or a live session, and can be regenerated later (``write_report(folder)``)
without re-running the pose model.

It is written for the person exercising at home first (plain sentences,
coaching texts rather than cue ids) and for their physiotherapist second
(tables of every rep and hold with the key angles, and plots with the
thresholds that drove the cues). Plots are drawn with matplotlib's
object-oriented API on the Agg canvas (no pyplot, so no global state and no
display needed) and embedded as base64 PNGs, so the HTML file can be mailed
or printed on its own.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import html
import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from posturecam.errors import PosturecamError

REPORT_HTML = "report.html"
REPORT_MD = "report.md"
PNG_ANGLES = "report_angles.png"
PNG_TRUNK = "report_trunk.png"
PNG_MEASURES = "report_measures.png"

# Colour-blind-safe (Okabe-Ito) colours; left and right keep their colour in every plot.
SIDE_COLOURS = {"left": "#0072B2", "right": "#D55E00", None: "#555555"}
OK_BAND = "#009E73"
LIMIT = "#666666"

_STR_COLUMNS = {"side", "phase", "cue", "view", "facing", "front_leg"}

# Which angle panels to draw per exercise (title, CSV columns by side).
_PANELS: dict[str, tuple[str, tuple[str, str]]] = {
    "knee": ("Knee angle (°)", ("left_knee_deg", "right_knee_deg")),
    "hip": ("Hip angle (°)", ("left_hip_deg", "right_hip_deg")),
    "thigh": ("Back thigh behind vertical (°)", ("left_thigh_behind_vertical_deg", "right_thigh_behind_vertical_deg")),
}
_PANELS_FOR = {
    "lunge": ("knee", "hip"),
    "bridge": ("hip", "knee"),
    "stretch": ("knee", "hip", "thigh"),
}
# Reference lines on the angle panels: (panel, threshold name, what crossing it means). The values come
# from the thresholds stored in summary.json, so a physiotherapist's --config overrides are what is drawn.
_ANGLE_LINES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "lunge": (
        ("knee", "down_knee_deg", "bottom phase below"),
        ("knee", "up_knee_deg", "back up above"),
        ("knee", "max_bottom_knee_deg", "full depth below"),
    ),
    "bridge": (
        ("hip", "up_hip_deg", "top phase above"),
        ("hip", "down_hip_deg", "lowered below (or near where the hips rest)"),
        ("hip", "min_top_hip_deg", "hips high enough"),
        ("hip", "max_top_hip_deg", "over-arched above"),
        ("knee", "min_top_knee_deg", "feet too far"),
        ("knee", "max_top_knee_deg", "feet too close"),
    ),
    "stretch": (("thigh", "min_back_hip_extension_deg", "real stretch above"),),
}
# Trunk-lean limits per exercise: (threshold, sign); sign 0 = both directions (±).
_TRUNK_LIMITS: dict[str, tuple[tuple[str, int], ...]] = {
    "lunge": (("max_trunk_lean_deg", 1),),
    "stretch": (("max_trunk_lean_deg", 1), ("max_trunk_back_deg", -1)),
    "standing": (("max_trunk_lean_deg", 0),),
}
# Standing measures: a friendly name, the unit, and the limit the coach uses (threshold, symmetric, baseline).
_MEASURE_INFO: dict[str, tuple[str, str, str | None, bool, str | None]] = {
    "pelvic_obliquity_deg": (
        "Hips level (pelvis tilt left-right)",
        "°",
        "max_pelvic_obliquity_deg",
        True,
        "pelvic_obliquity_baseline_deg",
    ),
    "shoulder_tilt_deg": ("Shoulders level", "°", "max_shoulder_tilt_deg", True, None),
    "trunk_shift": ("Upper body centred over the feet", " hip widths", "max_trunk_shift_hip_widths", True, None),
    "head_forward_deg": ("Head forward of the shoulders", "°", "max_head_forward_deg", False, None),
    "hips_forward_of_ankles": ("Hips forward of the ankles", " leg lengths", "max_hips_forward_leg", False, None),
    "trunk_lean_deg": ("Torso lean", "°", "max_trunk_lean_deg", True, None),
    "knee_deg": ("Knee angle (above 180° = locked back)", "°", "max_knee_deg", False, None),
}


# -- reading the folder ------------------------------------------------------------------------------


@dataclass
class Frames:
    """frames.csv as columns: numbers as float arrays (NaN where empty), labels as lists of str."""

    num: dict[str, np.ndarray] = field(default_factory=dict)
    text: dict[str, list[str]] = field(default_factory=dict)
    n: int = 0

    def col(self, name: str) -> np.ndarray:
        return self.num.get(name, np.full(self.n, np.nan))

    @property
    def t(self) -> np.ndarray:
        return self.col("time_s")


def read_frames(path: Path) -> Frames:
    """Read frames.csv tolerantly: a run killed mid-write may leave a short last line."""
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("time_s")]
    out = Frames(n=len(rows))
    if not rows:
        return out
    for name in rows[0]:
        if name is None:
            continue
        vals = [r.get(name) or "" for r in rows]
        if name in _STR_COLUMNS:
            out.text[name] = vals
            continue
        arr = np.full(len(vals), np.nan)
        for i, v in enumerate(vals):
            with contextlib.suppress(ValueError):
                arr[i] = float(v)
        out.num[name] = arr
    return out


def _load(out_dir: Path) -> tuple[dict[str, object], Frames | None, list[str]]:
    """summary.json and frames.csv, with notes on whatever is missing."""
    notes: list[str] = []
    summary_p, frames_p = out_dir / "summary.json", out_dir / "frames.csv"
    if not summary_p.is_file() and not frames_p.is_file():
        raise PosturecamError(f"{out_dir} has no summary.json or frames.csv: not a posturecam analysis folder")
    frames = None
    if frames_p.is_file():
        try:
            frames = read_frames(frames_p)
        except (OSError, csv.Error, UnicodeDecodeError) as exc:
            notes.append(f"frames.csv could not be read ({exc}); no plots.")
    summary: dict[str, object] = {}
    if summary_p.is_file():
        try:
            summary = json.loads(summary_p.read_text())
        except (OSError, ValueError) as exc:
            notes.append(f"summary.json could not be read ({exc}); the figures below come from frames.csv only.")
    else:
        notes.append("There is no summary.json (the analysis did not finish); the figures come from frames.csv only.")
    if not summary and frames is not None and frames.n:
        person = frames.col("person")
        t = frames.t
        summary = {
            "frames": frames.n,
            "frames_with_person": int(np.nansum(person)),
            "duration_s": float(np.nanmax(t)) if np.isfinite(t).any() else 0.0,
        }
    return summary, frames, notes


# -- small helpers -----------------------------------------------------------------------------------


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def _dur(s: float | None) -> str:
    """Seconds as people say them: '42 s', '1 min 05 s'."""
    if s is None:
        return "—"
    if s < 60:
        return f"{s:.0f} s" if s >= 10 else f"{s:.1f} s"
    m, sec = divmod(round(s), 60)
    return f"{m} min {sec:02d} s"


def _clock(s: float | None) -> str:
    if s is None:
        return "—"
    m, sec = divmod(float(s), 60.0)
    return f"{int(m)}:{sec:04.1f}"


def _side_word(side: object) -> str:
    return str(side).capitalize() if side in ("left", "right") else "—"


def _thresholds(summary: Mapping[str, object], exercise: str) -> dict[str, float]:
    """Thresholds used for ``exercise`` (for auto: the recognised sub-exercise's own table)."""
    if summary.get("exercise") == exercise:
        th = summary.get("thresholds") or {}
    else:
        th = ((summary.get("exercises") or {}).get(exercise) or {}).get("thresholds") or {}  # type: ignore[union-attr]
    return {k: float(v) for k, v in th.items() if _num(v) is not None}  # type: ignore[union-attr]


def _exercises_in(summary: Mapping[str, object]) -> list[str]:
    """The concrete exercises a session covered (auto lists what it recognised)."""
    name = str(summary.get("exercise") or "")
    if name == "auto":
        return list((summary.get("exercises") or {}).keys())  # type: ignore[union-attr]
    return [name] if name else []


def _catalog(exercise: str) -> dict[str, object]:
    try:
        from posturecam.exercise_docs import cue_catalog

        return dict(cue_catalog(exercise or None))
    except Exception:  # the report must still be written if the definitions cannot be imported
        return {}


def _cue_text(cid: str, catalog: Mapping[str, object]) -> str:
    cue = catalog.get(cid)
    return str(getattr(cue, "text", cid))


def _is_fault(cid: str, catalog: Mapping[str, object]) -> bool:
    cue = catalog.get(cid)
    return bool(getattr(cue, "fault", cid != "good"))


def cue_episodes(frames: Frames) -> list[tuple[str, float, float]]:
    """Runs of the same shown cue in frames.csv, as (cue id, start s, end s)."""
    cues, t = frames.text.get("cue", []), frames.t
    out: list[tuple[str, float, float]] = []
    start = 0
    for i in range(1, len(cues) + 1):
        if i == len(cues) or cues[i] != cues[start]:
            if cues[start]:
                dt = float(t[i] - t[i - 1]) if i < len(cues) else 0.0
                out.append((cues[start], float(t[start]), float(t[i - 1]) + max(dt, 0.0)))
            start = i
    return out


# -- plain words -------------------------------------------------------------------------------------


@dataclass
class Section:
    """One block of the report, rendered to both HTML and Markdown."""

    title: str
    paragraphs: list[str] = field(default_factory=list)  # plain text
    bullets: list[str] = field(default_factory=list)
    table: tuple[list[str], list[list[str]]] | None = None
    bars: list[tuple[str, float, float]] = field(default_factory=list)  # label, value, target


def _reps_sentences(summary: Mapping[str, object]) -> list[str]:
    reps = [r for r in summary.get("reps") or [] if isinstance(r, Mapping)]  # type: ignore[union-attr]
    out: list[str] = []
    by_ex: dict[str, list[Mapping[str, object]]] = {}
    for r in reps:
        by_ex.setdefault(str(r.get("exercise") or summary.get("exercise")), []).append(r)
    for ex, rs in by_ex.items():
        th = _thresholds(summary, ex)
        sides = [r.get("side") for r in rs]
        noun = {"lunge": "lunge", "bridge": "glute bridge"}.get(ex, "rep")
        plural = noun + ("s" if len(rs) != 1 else "")
        if any(s in ("left", "right") for s in sides):
            out.append(
                f"You did {len(rs)} {plural}: {sides.count('left')} with the left leg in front "
                f"and {sides.count('right')} with the right."
            )
        else:
            out.append(f"You did {len(rs)} {plural}.")
        if ex == "lunge":
            k = _median([r.get("bottom_front_knee_deg") for r in rs])
            if k is not None:
                lim = th.get("max_bottom_knee_deg")
                aim = f" Aim for about 90°; {lim:.0f}° or less counts as a full lunge." if lim else ""
                out.append(f"At the bottom your front knee typically bent to {k:.0f}°.{aim}")
        if ex == "bridge":
            h = _median([r.get("top_hip_deg") for r in rs])
            if h is not None:
                lo, hi = th.get("min_top_hip_deg"), th.get("max_top_hip_deg")
                rng = f" (the coach looks for {lo:.0f}–{hi:.0f}°)" if lo and hi else ""
                out.append(
                    f"At the top your hips typically reached {h:.0f}°; a straight line from shoulders "
                    f"to knees is about 180°{rng}."
                )
            hold = _median([r.get("hold_s") for r in rs])
            if hold is not None:
                aim = th.get("min_hold_s")
                aim_s = f" (aim for at least {aim:.0f} s)" if aim else ""
                out.append(f"You paused at the top for {hold:.1f} s on average{aim_s}.")
    return out


def _median(values: Sequence[object]) -> float | None:
    vals = [v for v in (_num(x) for x in values) if v is not None]
    return float(statistics.median(vals)) if vals else None


def _holds_section(summary: Mapping[str, object]) -> Section | None:
    holds = [h for h in summary.get("holds") or [] if isinstance(h, Mapping)]  # type: ignore[union-attr]
    has_hold_ex = any(e == "stretch" for e in _exercises_in(summary))
    if not holds and not has_hold_ex:
        return None
    sec = Section("Holds")
    if not holds:
        sec.paragraphs.append("No hold was recorded (a hold counts once you stay in position for a couple of seconds).")
        return sec
    for side in ("left", "right", None):
        hs = [h for h in holds if h.get("side") == side]
        if not hs:
            continue
        best = max(_num(h.get("duration_s")) or 0.0 for h in hs)
        target = _num(hs[0].get("target_s")) or 30.0
        stretched = hs[0].get("stretched_side")
        who = f"{_side_word(side)} leg in front" if side else "Hold"
        if stretched in ("left", "right"):
            who += f" (stretches the {stretched} hip)"
        verdict = "target reached" if best >= target - 0.05 else f"{target - best:.0f} s short of the target"
        extra = f" over {len(hs)} holds" if len(hs) > 1 else ""
        sec.bullets.append(f"{who}: longest hold {_dur(best)} of {target:.0f} s{extra}; {verdict}.")
        sec.bars.append((who, best, target))
    return sec


def _measure_sentence(name: str, s: Mapping[str, object], th: Mapping[str, float]) -> str:
    label, unit, key, sym, base_key = _measure_info(name)
    nd = _decimals(unit)
    med, lo, hi = _num(s.get("median")), _num(s.get("p10")), _num(s.get("p90"))
    if med is None:
        return f"{label}: not measured."
    text = f"{label}: typically {med:.{nd}f}{unit}"
    if lo is not None and hi is not None and f"{lo:.{nd}f}" != f"{hi:.{nd}f}":
        text += f" (most of the time between {lo:.{nd}f} and {hi:.{nd}f}{unit})"
    lim = th.get(key) if key else None
    if lim is not None:
        base = th.get(base_key, 0.0) if base_key else 0.0
        dev = abs(med - base) if sym else med - base
        where = f"±{lim:g}{unit}" if sym else f"{lim:g}{unit}"
        if base:
            where += f" around your baseline of {base:g}{unit}"
        text += "; within the coach's limit of " + where if dev <= lim else "; beyond the coach's limit of " + where
    return text + "."


def _pretty(name: str) -> str:
    return name.removesuffix("_deg").replace("_", " ").capitalize()


def _unit(name: str) -> str:
    return "°" if name.endswith("_deg") else ""


def _measure_info(name: str) -> tuple[str, str, str | None, bool, str | None]:
    """``_MEASURE_INFO`` for ``name``; a measure not listed there still gets a readable label and unit."""
    return _MEASURE_INFO.get(name, (_pretty(name), _unit(name), None, False, None))


def _decimals(unit: str) -> int:
    """Degrees to one decimal; body-relative ratios (hip widths, leg lengths) need two."""
    return 1 if unit == "°" else 2


def _measures(summary: Mapping[str, object]) -> dict[str, Mapping[str, object]]:
    return {k: v for k, v in (summary.get("measures") or {}).items() if isinstance(v, Mapping)}  # type: ignore[union-attr]


def _all_thresholds(summary: Mapping[str, object]) -> dict[str, float]:
    """Every covered exercise's thresholds in one table: the measures' limits may come from any of them."""
    th: dict[str, float] = {}
    for ex in _exercises_in(summary):
        th.update(_thresholds(summary, ex))
    return th


def _cue_section(summary: Mapping[str, object], catalog: Mapping[str, object]) -> Section:
    counts = {str(k): int(v) for k, v in (summary.get("cues") or {}).items()}  # type: ignore[union-attr]
    faults = {k: n for k, n in counts.items() if _is_fault(k, catalog)}
    form = sorted(((k, n) for k, n in faults.items() if not k.startswith("view.")), key=lambda kv: (-kv[1], kv[0]))
    view = sorted(((k, n) for k, n in faults.items() if k.startswith("view.")), key=lambda kv: (-kv[1], kv[0]))
    sec = Section("What to work on")
    if not form:
        sec.paragraphs.append("No form corrections were needed. Well done!")
    for k, n in form[:3]:
        sec.bullets.append(f"“{_cue_text(k, catalog)}” (shown {n} time{'s' if n != 1 else ''})")
    if len(form) > 3:
        sec.paragraphs.append(f"{len(form) - 3} other cue(s) came up less often; see the tables below.")
    if view:
        sec.paragraphs.append(
            "About the camera set-up: "
            + "; ".join(f"“{_cue_text(k, catalog)}” ({n}×)" for k, n in view[:3])
            + ". Feedback is only given while the camera sees you well."
        )
    return sec


def _rep_table(summary: Mapping[str, object], catalog: Mapping[str, object]) -> Section | None:
    reps = [r for r in summary.get("reps") or [] if isinstance(r, Mapping)]  # type: ignore[union-attr]
    if not reps:
        return None
    fixed = {"side", "start_s", "end_s", "cues", "exercise"}
    angle_keys: list[str] = []
    for r in reps:
        angle_keys += [k for k in r if k not in fixed and k not in angle_keys]
    auto = any("exercise" in r for r in reps)
    head = ["#", *(["Exercise"] if auto else []), "Side", "Time", *[_key_label(k) for k in angle_keys], "Cues"]
    rows: list[list[str]] = []
    for i, r in enumerate(reps, 1):
        cues = [str(c) for c in r.get("cues") or []]  # type: ignore[union-attr]
        row = [str(i), *([str(r.get("exercise", ""))] if auto else []), _side_word(r.get("side"))]
        row.append(f"{_clock(_num(r.get('start_s')))}–{_clock(_num(r.get('end_s')))}")
        row += [_key_value(k, r.get(k)) for k in angle_keys]
        row.append("; ".join(_cue_text(c, catalog) for c in cues) or "none")
        rows.append(row)
    return Section("Reps", table=(head, rows))


def _hold_table(summary: Mapping[str, object], catalog: Mapping[str, object]) -> Section | None:
    holds = [h for h in summary.get("holds") or [] if isinstance(h, Mapping)]  # type: ignore[union-attr]
    if not holds:
        return None
    fixed = {"side", "stretched_side", "start_s", "end_s", "duration_s", "target_s", "cues", "exercise"}
    keys: list[str] = []
    for h in holds:
        keys += [k for k in h if k not in fixed and k not in keys]
    head = ["#", "Leg in front", "Stretched hip", "Time", "Held", *[_key_label(k) for k in keys], "Cues"]
    rows = []
    for i, h in enumerate(holds, 1):
        cues = [str(c) for c in h.get("cues") or []]  # type: ignore[union-attr]
        held = f"{_dur(_num(h.get('duration_s')))} / {(_num(h.get('target_s')) or 0):.0f} s"
        rows.append(
            [
                str(i),
                _side_word(h.get("side")),
                _side_word(h.get("stretched_side")),
                f"{_clock(_num(h.get('start_s')))}–{_clock(_num(h.get('end_s')))}",
                held,
                *[_key_value(k, h.get(k)) for k in keys],
                "; ".join(_cue_text(c, catalog) for c in cues) or "none",
            ]
        )
    return Section("Holds in detail", table=(head, rows))


def _key_label(k: str) -> str:
    return {
        "bottom_front_knee_deg": "Front knee at bottom",
        "bottom_back_knee_deg": "Back knee at bottom",
        "top_hip_deg": "Hips at top",
        "top_knee_deg": "Knees at top",
        "hold_s": "Held at top",
        "back_hip_extension_deg": "Back thigh behind vertical",
    }.get(k, _pretty(k))


def _key_value(k: str, v: object) -> str:
    x = _num(v)
    if x is None:
        return "—"
    if k.endswith("_deg"):
        return f"{x:.0f}°"
    if k.endswith("_s"):
        return f"{x:.1f} s"
    return f"{x:.2f}"


# -- plots -------------------------------------------------------------------------------------------


def _new_figure(rows: int, height_ratios: Sequence[float], height: float, sharex: bool = True):
    """A figure with stacked axes in the report's style (matplotlib's OO API: no pyplot state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, height), dpi=110, layout="constrained")
    axes = fig.subplots(rows, 1, sharex=sharex, gridspec_kw={"height_ratios": list(height_ratios)}, squeeze=False)
    for ax in axes[:, 0]:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
    return fig, list(axes[:, 0])


def _shade_spans(ax, summary: Mapping[str, object], label: bool) -> None:
    """Shade each rep (and hold) in its side's colour, numbered like the tables."""
    for key, tag in (("reps", "rep"), ("holds", "hold")):
        for i, r in enumerate(summary.get(key) or [], 1):  # type: ignore[union-attr]
            a, b = _num(r.get("start_s")), _num(r.get("end_s"))
            if a is None or b is None:
                continue
            ax.axvspan(a, b, color=SIDE_COLOURS.get(r.get("side"), SIDE_COLOURS[None]), alpha=0.10, linewidth=0)
            if label:
                ax.text(
                    (a + b) / 2,
                    1.0,
                    f"{tag} {i}",
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="#444444",
                )


def _plot_angles(frames: Frames, summary: Mapping[str, object], catalog: Mapping[str, object], path: Path) -> bool:
    exs = _exercises_in(summary)
    panels: list[str] = []
    for ex in exs or ["none"]:
        panels += [p for p in _PANELS_FOR.get(ex, ("knee", "hip")) if p not in panels]
    panels = [p for p in panels if any(np.isfinite(frames.col(c)).any() for c in _PANELS[p][1])]
    if not panels:
        return False
    eps = [e for e in cue_episodes(frames) if _is_fault(e[0], catalog)]
    ids = list(dict.fromkeys(e[0] for e in eps))
    strip = max(1, len(ids))
    fig, axes = _new_figure(
        len(panels) + 1, [3] * len(panels) + [0.45 * strip + 0.3], 2.5 * len(panels) + 0.5 * strip + 1
    )
    t = frames.t
    for n, (ax, p) in enumerate(zip(axes, panels, strict=False)):
        title, cols = _PANELS[p]
        _shade_spans(ax, summary, label=n == 0)
        for side, c in zip(("left", "right"), cols, strict=True):
            y = frames.col(c)
            if np.isfinite(y).any():
                ax.plot(t, y, color=SIDE_COLOURS[side], linewidth=1.4, label=side)
        for ex in exs:
            th = _thresholds(summary, ex)
            for panel, key, what in _ANGLE_LINES.get(ex, ()):
                if panel == p and key in th:
                    ax.axhline(th[key], color=LIMIT, linestyle="--", linewidth=0.9)
                    ax.text(
                        1.0,
                        th[key],
                        f" {th[key]:g}° {what}",
                        transform=ax.get_yaxis_transform(),
                        va="center",
                        ha="left",
                        fontsize=7.5,
                        color=LIMIT,
                    )
        if p == "thigh":  # the front thigh sits near -90°: show the back thigh's few degrees, which matter
            top = np.nanmax([np.nanmax(frames.col(c)) for c in cols if np.isfinite(frames.col(c)).any()])
            ax.set_ylim(-30, max(30.0, float(top) + 5))
        ax.set_ylabel(title)
        if n == 0:
            ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=2)
    cue_ax = axes[-1]
    cue_ax.grid(False)
    cue_ax.set_yticks(range(len(ids)))
    cue_ax.set_yticklabels([_short(_cue_text(c, catalog)) for c in ids], fontsize=8)
    cue_ax.set_ylim(-0.6, strip - 0.4)
    cue_ax.invert_yaxis()
    for cid, a, b in eps:
        colour = "#999999" if cid.startswith("view.") else "#CC79A7"
        cue_ax.broken_barh([(a, max(b - a, 0.05))], (ids.index(cid) - 0.35, 0.7), color=colour)
    if not ids:
        cue_ax.set_yticks([])
        cue_ax.text(
            0.5,
            0.5,
            "no form cues were shown",
            transform=cue_ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="#444444",
        )
    cue_ax.set_xlabel("time (s)")
    cue_ax.set_title("Cues shown", fontsize=9, loc="left")
    fig.savefig(path)
    return True


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _limit_band(ax, lo: float | None, hi: float | None, text: str) -> None:
    """Green band where the coach is quiet, dashed lines at the limits."""
    bottom, top = (lo if lo is not None else -1e6), (hi if hi is not None else 1e6)
    ax.axhspan(bottom, top, color=OK_BAND, alpha=0.07, linewidth=0)
    for v in (lo, hi):
        if v is not None:
            ax.axhline(v, color=LIMIT, linestyle="--", linewidth=0.9)
            ax.text(1.0, v, f" {v:g}°", transform=ax.get_yaxis_transform(), va="center", fontsize=7.5, color=LIMIT)
    ax.set_title(text, fontsize=9, loc="left")


def _plot_trunk(frames: Frames, summary: Mapping[str, object], path: Path) -> bool:
    exs = _exercises_in(summary)
    t = frames.t
    views = frames.text.get("view", [""] * frames.n)
    front = np.array([v == "front" for v in views], dtype=bool)
    series: list[tuple[str, np.ndarray, float | None, float | None, str]] = []
    lean = frames.col("trunk_lean_deg")
    if np.isfinite(lean).any():
        lo = hi = None
        for ex in exs:
            th = _thresholds(summary, ex)
            for key, sign in _TRUNK_LIMITS.get(ex, ()):
                if key in th:
                    if sign >= 0:
                        hi = th[key] if hi is None else min(hi, th[key])
                    if sign <= 0:
                        lo = -th[key] if lo is None else max(lo, -th[key])
        series.append(("Torso lean (°, + forward)", lean, lo, hi, "green = within the coach's limits"))
    if "standing" in exs and front.any():
        th = _thresholds(summary, "standing")
        base = th.get("pelvic_obliquity_baseline_deg", 0.0)
        for col, key, title, off in (
            ("pelvic_obliquity_deg", "max_pelvic_obliquity_deg", "Hips level: tilt left-right (°, front view)", base),
            ("shoulder_tilt_deg", "max_shoulder_tilt_deg", "Shoulders level: tilt left-right (°, front view)", 0.0),
        ):
            y = np.where(front, frames.col(col), np.nan)
            if np.isfinite(y).any():
                lim = th.get(key)
                series.append(
                    (
                        title,
                        y,
                        off - lim if lim else None,
                        off + lim if lim else None,
                        "green = level enough for the coach",
                    )
                )
    if not series:
        return False
    fig, axes = _new_figure(len(series), [1] * len(series), 2.3 * len(series) + 0.6)
    for n, (ax, (title, y, lo, hi, what)) in enumerate(zip(axes, series, strict=True)):
        _shade_spans(ax, summary, label=n == 0)
        if lo is not None or hi is not None:
            _limit_band(ax, lo, hi, f"{title}: {what}")
        else:
            ax.set_title(title, fontsize=9, loc="left")
        ax.plot(t, y, color="#333333", linewidth=1.3)
        ax.axhline(0, color="#bbbbbb", linewidth=0.8)
        finite = y[np.isfinite(y)]
        pad = 3.0
        ymin = min(float(finite.min()), lo if lo is not None else 0.0) - pad
        ymax = max(float(finite.max()), hi if hi is not None else 0.0) + pad
        ax.set_ylim(ymin, ymax)
        ax.set_ylabel("°")
    axes[-1].set_xlabel("time (s)")
    fig.savefig(path)
    return True


def _plot_measures(summary: Mapping[str, object], path: Path) -> bool:
    measures = {k: v for k, v in _measures(summary).items() if _num(v.get("median")) is not None}
    if not measures:
        return False
    th = _all_thresholds(summary)
    # The measures have different units, so they must not share an x axis.
    fig, axes = _new_figure(len(measures), [1] * len(measures), 0.85 * len(measures) + 0.8, sharex=False)
    for ax, (name, s) in zip(axes, measures.items(), strict=True):
        label, unit, key, sym, base_key = _measure_info(name)
        med, lo, hi = _num(s.get("median")), _num(s.get("p10")), _num(s.get("p90"))
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.set_title(f"{label} ({unit.strip()})" if unit.strip() else label, fontsize=9, loc="left")
        xs = [v for v in (med, lo, hi) if v is not None]
        lim = th.get(key) if key else None
        base = th.get(base_key, 0.0) if base_key else 0.0
        if lim is not None:
            a, b = (base - lim, base + lim) if sym else (None, base + lim)
            ax.axvspan(a if a is not None else min([*xs, base + lim]) - 1e3, b, color=OK_BAND, alpha=0.08, linewidth=0)
            for v in (a, b):
                if v is not None:
                    ax.axvline(v, color=LIMIT, linestyle="--", linewidth=0.9)
                    xs.append(v)
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [0, 0], color="#56B4E9", linewidth=7, solid_capstyle="round")
        ax.plot([med], [0], "o", color="#0072B2", markersize=8)
        nd = _decimals(unit)
        ax.annotate(f"{med:.{nd}f}", (med, 0), xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8)
        span = (max(xs) - min(xs)) or 1.0
        ax.set_xlim(min(xs) - 0.25 * span, max(xs) + 0.25 * span)
        ax.set_ylim(-1, 1.4)
    fig.savefig(path)
    return True


# -- rendering ---------------------------------------------------------------------------------------


_CSS = """
body{font:15px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;max-width:960px;
margin:2em auto;padding:0 1.2em}
h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.2em;border-bottom:2px solid #0072B2;padding-bottom:.15em;
margin-top:1.6em}
.meta{color:#555;font-size:.92em}.meta span{margin-right:1.4em;white-space:nowrap}
.note{background:#fff4e0;border-left:4px solid #E69F00;padding:.5em .8em;margin:.6em 0}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.6em 0}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f6f9}tr:nth-child(even) td{background:#fafafa}
.bar{background:#e9eef3;border-radius:4px;height:14px;width:100%;max-width:420px;position:relative}
.bar>div{background:#009E73;height:100%;border-radius:4px}.bar.short>div{background:#E69F00}
.hold{margin:.4em 0}.hold b{display:block;font-weight:600}
img{max-width:100%;height:auto;margin:.4em 0}
.foot{color:#777;font-size:.8em;margin-top:2.5em;border-top:1px solid #ddd;padding-top:.5em}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}img,table{break-inside:avoid}}
"""


def _html_section(sec: Section) -> str:
    e = html.escape
    parts = [f"<h2>{e(sec.title)}</h2>"]
    parts += [f"<p>{e(p)}</p>" for p in sec.paragraphs]
    if sec.bullets:
        parts.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in sec.bullets) + "</ul>")
    for label, value, target in sec.bars:
        pct = max(0.0, min(100.0, 100.0 * value / target)) if target else 0.0
        short = " short" if value < target - 0.05 else ""
        parts.append(
            f'<div class="hold"><b>{e(label)}: {e(_dur(value))} of {target:.0f} s</b>'
            f'<div class="bar{short}"><div style="width:{pct:.0f}%"></div></div></div>'
        )
    if sec.table is not None:
        head, rows = sec.table
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        parts.append("</tbody></table>")
    return "\n".join(parts)


def _md_section(sec: Section) -> str:
    parts = [f"## {sec.title}", ""]
    parts += [p + "\n" for p in sec.paragraphs]
    parts += [f"- {b}" for b in sec.bullets]
    if sec.bullets:
        parts.append("")
    if sec.table is not None:
        head, rows = sec.table
        parts.append("| " + " | ".join(head) + " |")
        parts.append("|" + "---|" * len(head))
        parts += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        parts.append("")
    return "\n".join(parts)


def _header(summary: Mapping[str, object], out_dir: Path) -> tuple[str, list[tuple[str, str]], list[str]]:
    """Title, (label, value) facts, and notes about how complete the analysis is."""
    clip = Path(str(summary.get("clip") or out_dir.name)).name
    ex = str(summary.get("exercise") or "")
    title = str(summary.get("title") or ex.capitalize() or "Analysis")
    if ex == "auto":
        found = [str((summary.get("exercises") or {})[n].get("title", n)) for n in _exercises_in(summary)]  # type: ignore[index,union-attr]
        title = "Recognised: " + (", ".join(found) if found else "no supported exercise")
    frames = int(_num(summary.get("frames")) or 0)
    with_p = int(_num(summary.get("frames_with_person")) or 0)
    pct = f" ({100 * with_p / frames:.0f}%)" if frames else ""
    facts = [
        ("Clip", clip),
        ("Exercise", title),
        ("Duration", _dur(_num(summary.get("duration_s")))),
        ("Frames with a person", f"{with_p} of {frames}{pct}"),
    ]
    notes: list[str] = []
    if summary.get("interrupted"):
        notes.append(
            f"The analysis was stopped early; this report covers the first {_dur(_num(summary.get('duration_s')))}."
        )
    if summary.get("warning"):
        notes.append(f"{summary['warning']}.")
    elif summary.get("truncated"):
        notes.append("The clip is damaged (truncated); it was analysed up to where it breaks.")
    if frames and not with_p:
        notes.append("Nobody was found in this clip: check that your whole body is in view and the room is well lit.")
    for key in ("legs", "legs_unseen", "small_in_frame", "off_side"):
        block = summary.get(key)
        if isinstance(block, Mapping) and block.get("note"):
            notes.append(str(block["note"]))
    return title, facts, notes


def build_sections(summary: Mapping[str, object], catalog: Mapping[str, object]) -> list[Section]:
    """The report's text, independent of the output format."""
    sections: list[Section] = []
    summary_sec = Section("Summary")
    summary_sec.paragraphs += _reps_sentences(summary)
    exs = _exercises_in(summary)
    if any(e in ("lunge", "bridge") for e in exs) and not summary.get("reps"):
        summary_sec.paragraphs.append("No complete rep was counted.")
    measures = _measures(summary)
    th = _all_thresholds(summary)
    if measures:
        summary_sec.paragraphs.append("Your posture, measured while you stood in view:")
        summary_sec.bullets += [_measure_sentence(k, v, th) for k, v in measures.items()]
    holds = _holds_section(summary)
    if holds is not None and holds.bars:
        n_sides = len(holds.bars)
        reached = sum(1 for _, v, target in holds.bars if v >= target - 0.05)
        summary_sec.paragraphs.append(
            f"You held the stretch on {n_sides} side{'s' if n_sides != 1 else ''}; "
            f"the target time was reached on {reached}."
        )
    if not summary_sec.paragraphs and not summary_sec.bullets:
        summary_sec.paragraphs.append("Nothing was recorded for this exercise." if summary else "No summary available.")
    sections.append(summary_sec)
    if holds is not None:
        sections.append(holds)
    if summary.get("cues") is not None:
        sections.append(_cue_section(summary, catalog))
    for sec in (_rep_table(summary, catalog), _hold_table(summary, catalog)):
        if sec is not None:
            sections.append(sec)
    return sections


_PLOT_TEXT = {
    PNG_ANGLES: (
        "Joint angles over time",
        "Left side in blue, right in orange. Shaded spans are the reps and holds "
        "(numbered as in the tables); dashed lines are the thresholds the coach uses. The strip below shows "
        "when each cue was on screen.",
    ),
    PNG_TRUNK: (
        "Posture over time",
        "The green band is where the coach stays quiet; outside it a cue appears once the fault lasts a moment.",
    ),
    PNG_MEASURES: (
        "Typical values",
        "Dot: your typical value (median); bar: the range you were in 80% of the time (10th to 90th "
        "percentile); green: within the coach's limits.",
    ),
}


def write_report(out_dir: str | Path) -> Path:
    """Write report.html (self-contained), report.md and the plot PNGs into an analysis folder.

    Works from ``summary.json`` and ``frames.csv`` alone; either may be
    missing (an interrupted run) and the report says so. Returns the HTML path.
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise PosturecamError(f"no analysis folder at {out}")
    summary, frames, notes = _load(out)
    catalog: dict[str, object] = {}
    for ex in _exercises_in(summary) or [""]:
        for k, v in _catalog(ex).items():
            catalog.setdefault(k, v)
    title, facts, status = _header(summary, out)
    sections = build_sections(summary, catalog)

    plots: list[str] = []
    try:
        if frames is not None and frames.n:
            if _plot_angles(frames, summary, catalog, out / PNG_ANGLES):
                plots.append(PNG_ANGLES)
            if _plot_trunk(frames, summary, out / PNG_TRUNK):
                plots.append(PNG_TRUNK)
        if _plot_measures(summary, out / PNG_MEASURES):
            plots.append(PNG_MEASURES)
    except OSError as exc:
        raise PosturecamError(f"cannot write the report plots in {out}: {exc.strerror or exc}") from None

    when = datetime.fromtimestamp((out / "summary.json").stat().st_mtime) if (out / "summary.json").exists() else None
    foot = (
        f"posturecam {summary.get('posturecam_version', '')} · model "
        f"{(summary.get('model') or {}).get('name', '?')}"  # type: ignore[union-attr]
        + (f" · analysed {when:%Y-%m-%d %H:%M}" if when else "")
        + ". Angles are estimated from video and can be off by several degrees; use them as a guide."
    )

    e = html.escape
    body = [
        f"<h1>{e(title)}</h1>",
        '<p class="meta">' + "".join(f"<span><b>{e(k)}:</b> {e(v)}</span>" for k, v in facts) + "</p>",
    ]
    body += [f'<p class="note">{e(n)}</p>' for n in status + notes]
    body += [_html_section(s) for s in sections]
    if plots:
        body.append("<h2>Plots</h2>")
    for name in plots:
        head, caption = _PLOT_TEXT[name]
        data = base64.b64encode((out / name).read_bytes()).decode("ascii")
        body.append(
            f'<h3>{e(head)}</h3><p class="meta">{e(caption)}</p>'
            f'<img alt="{e(head)}" src="data:image/png;base64,{data}">'
        )
    body.append(f'<p class="foot">{e(foot)}</p>')
    doc = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)} — posturecam report</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )

    md = [f"# {title}", ""] + [f"- **{k}:** {v}" for k, v in facts] + [""]
    md += [f"> {n}\n" for n in status + notes]
    md += [_md_section(s) for s in sections]
    if plots:
        md += ["## Plots", ""]
        for name in plots:
            head, caption = _PLOT_TEXT[name]
            md += [f"### {head}", "", caption, "", f"![{head}]({name})", ""]
    md += ["---", "", foot, ""]

    path = out / REPORT_HTML
    try:
        path.write_text(doc, encoding="utf-8")
        (out / REPORT_MD).write_text("\n".join(md), encoding="utf-8")
    except OSError as exc:
        raise PosturecamError(f"cannot write the report in {out}: {exc.strerror or exc}") from None
    return path
