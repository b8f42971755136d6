"""Threshold overrides from a TOML file, so a physiotherapist can tune every number.

The file has one table per exercise, with the same names as the defaults::

    [lunge]
    max_trunk_lean_deg = 15

    [stretch]
    target_hold_s = 45

A misspelt name must not be silently ignored (the person would be coached
with a threshold the physio believes changed), so any unknown table or key
is an error with a one-line message.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path

from posturecam.errors import PosturecamError

Overrides = dict[str, dict[str, float]]


def known_thresholds() -> dict[str, dict[str, float]]:
    """Every section (exercise) and its default thresholds."""
    from posturecam.exercises.auto import AUTO_THRESHOLDS
    from posturecam.exercises.registry import DEFINITIONS, default_thresholds

    out = {name: default_thresholds(d) for name, d in DEFINITIONS.items()}
    out["auto"] = dict(AUTO_THRESHOLDS)
    return out


def _number(section: str, key: str, value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise PosturecamError(f"{where}[{section}] {key} must be a number, got {value!r}")
    return float(value)


def validate(config: Mapping[str, object], where: str = "") -> Overrides:
    """Check a ``{section: {key: number}}`` mapping against the known thresholds; returns it as floats."""
    known = known_thresholds()
    out: Overrides = {}
    for section, table in config.items():
        if section not in known:
            raise PosturecamError(f"{where}unknown section [{section}]; known sections: {', '.join(sorted(known))}")
        if not isinstance(table, Mapping):
            raise PosturecamError(f"{where}[{section}] must be a table of settings")
        out[section] = {}
        for key, value in table.items():
            if key not in known[section]:
                raise PosturecamError(
                    f"{where}unknown setting '{key}' in [{section}]; known: {', '.join(sorted(known[section]))}"
                )
            out[section][key] = _number(section, key, value, where)
    return out


def load_thresholds(path: str | Path) -> Overrides:
    """Read and validate a TOML overrides file: ``{exercise: {threshold: value}}``."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise PosturecamError(f"config file not found: {p}") from None
    except OSError as e:
        raise PosturecamError(f"cannot read config file {p}: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise PosturecamError(f"{p}: not valid TOML ({e})") from None
    return validate(data, where=f"{p}: ")


def thresholds_for(name: str, overrides: Mapping[str, object] | None) -> dict[str, float]:
    """Defaults for ``name`` with overrides applied.

    ``overrides`` is either the whole config (``{"lunge": {...}, ...}``, as
    returned by ``load_thresholds``) or a flat ``{threshold: value}`` for this
    exercise alone.
    """
    known = known_thresholds()
    out = dict(known[name])
    return out | section_overrides(name, overrides)


def section_overrides(name: str, overrides: Mapping[str, object] | None) -> dict[str, float]:
    if not overrides:
        return {}
    checked = validate(overrides if is_whole_config(overrides) else {name: overrides})
    return checked.get(name, {})


def is_whole_config(overrides: Mapping[str, object]) -> bool:
    """``{"lunge": {...}}`` (tables per exercise) rather than one exercise's flat ``{threshold: value}``."""
    return any(isinstance(v, Mapping) for v in overrides.values())
