"""What each exercise coaches, read from the definitions themselves.

``posturecam exercises`` and the HTML report both need "cue id -> text" and
"which thresholds decide this cue". Both are derived from the declarative
``ExerciseDef`` objects (the rule callables are inspected for the threshold
names they read), so a physiotherapist reading the listing always sees what
the engine actually runs, and a new cue or threshold shows up without
anyone editing this file.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping

from posturecam.exercises.base import VIEW_CUES, Cue, ExerciseDef

_VIEW_WORDS = {"side": "side view", "front": "front view", None: "any view"}


def definitions() -> dict[str, ExerciseDef]:
    """Every exercise definition by name (imported lazily: it pulls in the measures stack)."""
    from posturecam.exercises.registry import DEFINITIONS

    return dict(DEFINITIONS)


def cue_catalog(exercise: str | None = None) -> dict[str, Cue]:
    """Cue id -> Cue for one exercise, or merged over all of them (``None``/``auto``).

    When merging, exercise-specific texts win over shared ids such as ``good``
    only for the first exercise that defines them; callers that know the
    exercise of a rep should ask for that exercise.
    """
    defs = definitions()
    if exercise in defs:
        return defs[exercise].cues  # type: ignore[index]
    out: dict[str, Cue] = {}
    for d in defs.values():
        for cid, c in d.cues.items():
            out.setdefault(cid, c)
    return out


def _names_read(fn: Callable[..., object], depth: int = 3) -> set[str]:
    """Attribute names and string constants a callable (and posturecam helpers it calls) reads."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return set()
    names: set[str] = set(code.co_names)
    names |= {c for c in code.co_consts if isinstance(c, str)}
    for const in code.co_consts:  # nested lambdas
        if isinstance(const, types.CodeType):
            names |= set(const.co_names) | {c for c in const.co_consts if isinstance(c, str)}
    if depth > 0:
        glb = getattr(fn, "__globals__", {})
        for name in code.co_names:
            target = glb.get(name)
            if isinstance(target, types.FunctionType) and target.__module__.startswith("posturecam."):
                names |= _names_read(target, depth - 1)
    return names


def thresholds_read(fn: Callable[..., object] | None, known: Iterable[str]) -> list[str]:
    """The threshold names (from ``known``) a rule callable reads, in ``known``'s order."""
    if fn is None:
        return []
    read = _names_read(fn)
    return [k for k in known if k in read]


def cue_thresholds(definition: ExerciseDef, known: Iterable[str]) -> dict[str, list[str]]:
    """Cue id -> the threshold names behind it (frame rules, rep rules and the posture gate)."""
    known = list(known)
    out: dict[str, list[str]] = {}
    rules: list[tuple[Cue, Callable[..., object] | None]] = [(r.cue, r.when) for r in definition.frame_rules]
    rules += [(r.cue, r.when) for r in definition.rep_rules]
    if definition.posture_cue is not None:
        rules.append((definition.posture_cue, definition.posture))
    for cue, fn in rules:
        names = out.setdefault(cue.id, [])
        names += [n for n in thresholds_read(fn, known) if n not in names]
    return out


def _fmt(v: float) -> str:
    return f"{v:g}"


def describe_exercises(thresholds: Mapping[str, Mapping[str, float]] | None = None) -> str:
    """A plain-text listing: each exercise, its camera view, its cues and the numbers behind them.

    ``thresholds``: the effective per-exercise thresholds (defaults when None),
    so ``--config`` overrides can be shown as the coach will use them.
    """
    from posturecam.exercises.config import known_thresholds

    th_all = {k: dict(v) for k, v in known_thresholds().items()}
    for name, table in (thresholds or {}).items():
        th_all.setdefault(name, {}).update(table)
    lines: list[str] = []
    for name, d in definitions().items():
        th = th_all.get(name, {})
        views = ", ".join(_VIEW_WORDS.get(v, str(v)) for v in d.form_views)
        lines.append(f"{name}: {d.title}")
        lines.append(f"  camera: {views} (form is judged there)")
        extra = [v for v in d.tracked_views if v not in d.form_views]
        if extra:
            lines.append(f"  also counted from: {', '.join(_VIEW_WORDS.get(v, str(v)) for v in extra)}")
        if d.reps is not None:
            lines.append(
                f"  reps: counted on {d.reps.active_phase} phase "
                f"({d.reps.enter_key} {_fmt(th.get(d.reps.enter_key, float('nan')))}, "
                f"{d.reps.exit_key} {_fmt(th.get(d.reps.exit_key, float('nan')))})"
            )
            if d.reps.settle_key is not None:
                settle = ", ".join(f"{n} {_fmt(th.get(n, float('nan')))}"
                                   for n in (d.reps.settle_key, "settle_s", "min_rise_deg"))
                lines.append(f"  or from where it rests still ({settle})")
        if d.hold is not None:
            lines.append(f"  hold: {_fmt(th.get(d.hold.target_key, float('nan')))} s per side ({d.hold.target_key})")
            pos = thresholds_read(d.hold.in_position, th)
            if pos:
                lines.append("  in position when: " + ", ".join(f"{n} = {_fmt(th[n])}" for n in pos))
        behind = cue_thresholds(d, th)
        own = [c for cid, c in d.cues.items() if not cid.startswith("view.") or cid in behind]
        if own:
            lines.append("  cues:")
        else:
            lines.append("  measures only, no form cues")
        for c in own:
            kind = "" if c.fault else " (encouragement)"
            lines.append(f"    {c.id}: {c.text}{kind}")
            nums = behind.get(c.id, [])
            if nums:
                lines.append("      thresholds: " + ", ".join(f"{n} = {_fmt(th[n])}" for n in nums))
        lines.append("")
    from posturecam.exercises.auto import AUTO_THRESHOLDS

    lines.append("auto: recognises the exercise from the movement, then coaches it as above")
    lines.append("  settings: " + ", ".join(f"{k} = {_fmt(v)}" for k, v in th_all.get("auto", AUTO_THRESHOLDS).items()))
    lines.append("")
    lines.append("Camera cues shown by every exercise:")
    for c in VIEW_CUES:
        lines.append(f"  {c.id}: {c.text}")
    return "\n".join(lines)
