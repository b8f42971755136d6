"""Exercise coaching: declarative exercise definitions run by one engine.

from posturecam.exercises import get_exercise, load_thresholds
coach = get_exercise("lunge", load_thresholds("physio.toml"))
state = coach.update(t, measures)   # per frame; measures None = no person
coach.finish(t); coach.summary(); coach.summary_lines()
"""

from __future__ import annotations

from collections.abc import Mapping

from posturecam.errors import PosturecamError
from posturecam.exercises.auto import AutoCoach
from posturecam.exercises.base import Cue, ExerciseDef
from posturecam.exercises.config import is_whole_config, known_thresholds, load_thresholds, thresholds_for
from posturecam.exercises.engine import Coach, CoachState
from posturecam.exercises.registry import DEFINITIONS

EXERCISE_NAMES: tuple[str, ...] = ("auto", "lunge", "bridge", "stretch", "standing", "none")

__all__ = [
    "EXERCISE_NAMES",
    "AutoCoach",
    "Coach",
    "CoachState",
    "Cue",
    "ExerciseDef",
    "get_exercise",
    "known_thresholds",
    "load_thresholds",
]


def get_exercise(name: str, overrides: Mapping[str, object] | None = None) -> Coach | AutoCoach:
    """A fresh coach for one session.

    ``overrides``: the whole config from ``load_thresholds`` (``{"lunge": {...}}``)
    or a flat ``{threshold: value}`` for this exercise; unknown names raise
    ``PosturecamError``.
    """
    if name not in EXERCISE_NAMES:
        raise PosturecamError(f"unknown exercise '{name}'; choose one of: {', '.join(EXERCISE_NAMES)}")
    if name != "auto":
        return Coach(DEFINITIONS[name], thresholds_for(name, overrides))
    # Flat overrides are auto's own settings; the coaches it delegates to only read a whole config's sections.
    auto_th = thresholds_for("auto", overrides)
    full = overrides if overrides and is_whole_config(overrides) else None
    coaches = {n: Coach(DEFINITIONS[n], thresholds_for(n, full)) for n in ("lunge", "bridge", "stretch", "standing")}
    return AutoCoach(coaches, auto_th, idle=Coach(DEFINITIONS["none"], thresholds_for("none", full)))
