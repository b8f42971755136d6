"""Which pose model to load, and making sure it is the one we think it is.

posturecam must work with no internet, so the default model ships inside the
package (built by ``tools/build_model.py``) and its SHA-256 is checked on
every load: a truncated or swapped file would otherwise give subtly wrong
landmarks rather than an error. Google's official lite/heavy bundles can be
fetched into a user cache when a network exists.
"""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error
import urllib.request
import zipfile
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


def verify_model(path: Path, expected_sha256: str, name: str) -> ModelInfo:
    """The model at ``path`` if its SHA-256 is ``expected_sha256``, else a one-line PosturecamError.

    Separate from ``bundled_model`` so a damaged copy can be checked without touching the installed one.
    """
    if not path.is_file():
        raise PosturecamError(f"the pose model is missing ({path}); reinstall posturecam")
    try:
        actual = sha256_of(path)
    except OSError as exc:
        raise PosturecamError(f"cannot read the pose model {path}: {exc.strerror or exc}") from None
    if actual != expected_sha256.lower():
        raise PosturecamError(
            f"the pose model {path.name} is damaged (SHA-256 {actual[:12]}…, expected {expected_sha256[:12]}…); "
            "reinstall posturecam"
        )
    return ModelInfo(name=name, path=path, sha256=actual)


def expected_sha256(models_dir: Path | None = None) -> str:
    """The bundled model's published SHA-256 (from the ``.sha256`` file shipped beside it)."""
    sha_file = (models_dir or _MODELS_DIR) / (BUNDLED_NAME + ".sha256")
    try:
        return sha_file.read_text().split()[0]
    except (OSError, IndexError):
        raise PosturecamError(
            f"the bundled pose model's checksum file is missing ({sha_file}); reinstall posturecam"
        ) from None


def bundled_model() -> ModelInfo:
    """The model shipped in the package, verified (a truncated or swapped file must not give quietly wrong angles)."""
    return verify_model(_MODELS_DIR / BUNDLED_NAME, expected_sha256(_MODELS_DIR), "blazepose-ghum-full (bundled)")


def is_task_bundle(source: Path | bytes) -> bool:
    """A MediaPipe .task is a zip of .tflite files. Checked by the zip directory, not the first bytes:
    valid bundles may carry a few bytes before the first ``PK`` header (the bundled one does)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            return any(n.endswith(".tflite") for n in z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "posturecam"


def _download_official(variant: str, timeout_s: float = 20.0) -> ModelInfo:
    """Google's official bundle for ``variant``, downloaded once into the user cache."""
    name = f"pose_landmarker_{variant}.task"
    target = cache_dir() / name
    if not target.is_file():
        base = os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")
        url = f"{base}/pose_landmarker_{variant}/float16/latest/{name}"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as resp:
                data = resp.read()
        except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
            if isinstance(exc, urllib.error.HTTPError):
                reason: object = f"HTTP {exc.code} {exc.reason}"
            else:
                reason = getattr(exc, "reason", exc)
            raise PosturecamError(
                f"could not download the '{variant}' pose model from {url} ({reason}); "
                "use the bundled model instead (--model full, the default) or --model PATH to a .task file"
            ) from None
        if not is_task_bundle(data):
            raise PosturecamError(
                f"the download of the '{variant}' pose model from {url} is not a .task bundle; "
                "use the bundled model instead (--model full, the default)"
            )
        tmp = target.with_suffix(".part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            tmp.replace(target)
        except OSError as exc:
            raise PosturecamError(
                f"cannot save the '{variant}' pose model in {target.parent}: {exc.strerror or exc} "
                f"(set {CACHE_ENV} to a writable folder)"
            ) from None
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
    if not is_task_bundle(path):
        raise PosturecamError(f"{path} is not a MediaPipe .task bundle")
    return ModelInfo(name=path.name, path=path, sha256=sha256_of(path))
