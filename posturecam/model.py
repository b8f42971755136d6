"""Which pose model to load, and making sure it is the one we think it is.

posturecam must work with no internet, so the default model ships inside the
package (built by ``tools/build_model.py``) and its SHA-256 is checked on
every load: a truncated or swapped file would otherwise give subtly wrong
landmarks rather than an error. Google's official lite/heavy bundles can be
fetched into a user cache when a network exists.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from posturecam.errors import PosturecamError

_MODELS_DIR = Path(__file__).resolve().parent / "models"
BUNDLED_NAME = "pose_landmarker_full.task"
OFFICIAL_VARIANTS = ("lite", "full", "heavy")
# Overridable so the download path can be tested against a local server.
DEFAULT_BASE_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
BASE_URL_ENV = "POSTURECAM_MODEL_BASE_URL"
CACHE_ENV = "POSTURECAM_CACHE_DIR"


@dataclass(frozen=True)
class ModelInfo:
    """A resolved, verified model file."""

    name: str
    path: Path
    sha256: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def bundled_model() -> ModelInfo:
    path = _MODELS_DIR / BUNDLED_NAME
    expected = (_MODELS_DIR / (BUNDLED_NAME + ".sha256")).read_text().split()[0]
    if not path.is_file():
        raise PosturecamError(f"the bundled pose model is missing ({path}); reinstall posturecam")
    actual = sha256_of(path)
    if actual != expected:
        raise PosturecamError(
            f"the bundled pose model is damaged (SHA-256 {actual[:12]}…, expected {expected[:12]}…); reinstall posturecam"
        )
    return ModelInfo(name="blazepose-ghum-full (bundled)", path=path, sha256=actual)


def cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "posturecam"


def _download_official(variant: str, timeout_s: float = 20.0) -> ModelInfo:
    name = f"pose_landmarker_{variant}.task"
    target = cache_dir() / name
    if not target.is_file():
        base = os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")
        url = f"{base}/pose_landmarker_{variant}/float16/latest/{name}"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as resp:
                data = resp.read()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PosturecamError(
                f"could not download the '{variant}' pose model ({reason}); "
                "with no internet, use the bundled model (--model full) or --model PATH to a .task file"
            ) from None
        if not data.startswith(b"PK"):
            raise PosturecamError(f"the download of the '{variant}' pose model is not a .task bundle")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return ModelInfo(name=f"pose_landmarker_{variant}", path=target, sha256=sha256_of(target))


def resolve_model(spec: str | os.PathLike[str] | None = None) -> ModelInfo:
    """Resolve ``--model``: None/'full' = bundled, 'lite'/'heavy' = official download, else a path."""
    if spec is None or str(spec) == "full":
        return bundled_model()
    text = str(spec)
    if text in OFFICIAL_VARIANTS:
        return _download_official(text)
    path = Path(text).expanduser()
    if not path.is_file():
        raise PosturecamError(f"model file not found: {path} (use lite, full, heavy or a path to a .task file)")
    with open(path, "rb") as f:
        if f.read(2) != b"PK":
            raise PosturecamError(f"{path} is not a MediaPipe .task bundle")
    return ModelInfo(name=path.name, path=path, sha256=sha256_of(path))
