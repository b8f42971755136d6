"""The supported exercise definitions by name, and their default thresholds.

``none`` measures only (no cues but "step into view"), for recording clips or
checking the camera set-up; its summary is every measure's median and range.
"""

from __future__ import annotations

from posturecam.exercises.base import COMMON_THRESHOLDS, HOLD_THRESHOLDS, ExerciseDef
from posturecam.exercises.bridge import BRIDGE
from posturecam.exercises.engine import NUMERIC_FIELDS
from posturecam.exercises.lunge import LUNGE
from posturecam.exercises.standing import STANDING
from posturecam.exercises.stretch import STRETCH


def _reader(name: str):
    return lambda m: getattr(m, name)


NONE = ExerciseDef(
    name="none",
    title="Measurements",
    thresholds={},
    form_views=("side", "front", None),
    needs_feet=False,
    summary_measures={name: _reader(name) for name in NUMERIC_FIELDS},
)

DEFINITIONS: dict[str, ExerciseDef] = {d.name: d for d in (LUNGE, BRIDGE, STRETCH, STANDING, NONE)}


def default_thresholds(definition: ExerciseDef) -> dict[str, float]:
    """Engine defaults, then hold defaults (if the exercise has a hold), then the exercise's own numbers."""
    out = dict(COMMON_THRESHOLDS)
    if definition.hold is not None:
        out.update(HOLD_THRESHOLDS)
    out.update(definition.thresholds)
    return out
