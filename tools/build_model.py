"""Build the shipped BlazePose GHUM (full) PoseLandmarker bundle, offline.

Why this exists: mediapipe 1.x ships no pose model and the official `.task`
bundles live behind a download, which fails on machines with no internet.
mediapipe 0.10.21's wheel on PyPI still carries the very same BlazePose GHUM
tflite graphs, only without the TFLite metadata the Tasks API needs to know
how to normalise input pixels. This script adds that metadata and zips both
graphs into a Tasks bundle, reproducibly (fixed zip timestamps), so the
SHA-256 recorded beside the bundle can be checked at load time.

Run it with mediapipe==0.10.21 (1.x's metadata writers do not import)::

    python3 -m venv /tmp/mp21 && /tmp/mp21/bin/pip install mediapipe==0.10.21
    /tmp/mp21/bin/python tools/build_model.py

It writes posturecam/models/pose_landmarker_full.task and its .sha256.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
)

OUT_DIR = Path(__file__).resolve().parent.parent / "posturecam" / "models"
BUNDLE_NAME = "pose_landmarker_full.task"

# (file inside the bundle, file in the 0.10.21 wheel, normalisation mean, std)
# The detector expects pixels in [-1, 1]; the landmark model in [0, 1].
MODELS = (
    ("pose_detector.tflite", "modules/pose_detection/pose_detection.tflite", 127.5, 127.5),
    ("pose_landmarks_detector.tflite", "modules/pose_landmark/pose_landmark_full.tflite", 0.0, 255.0),
)


def _with_metadata(tflite: bytes, name: str, mean: float, std: float) -> bytes:
    writer = metadata_writer.MetadataWriter.create(bytearray(tflite))
    writer.add_general_info(name, "BlazePose GHUM, from mediapipe 0.10.21 (Apache-2.0)")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    content, _ = writer.populate()
    return bytes(content)


def main() -> int:
    if not mediapipe.__version__.startswith("0.10."):
        print(f"needs mediapipe 0.10.21, found {mediapipe.__version__}", file=sys.stderr)
        return 1
    root = Path(mediapipe.__file__).parent
    members = {
        inner: _with_metadata((root / src).read_bytes(), inner, mean, std)
        for inner, src, mean, std in MODELS
    }
    out = OUT_DIR / BUNDLE_NAME
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # Stored (uncompressed) members, 4-byte aligned, fixed timestamps: TFLite
    # maps the graphs straight out of the zip, and the digest stays stable.
    with model_asset_bundle_utils.AlignZipFile(out, mode="w", alignment=4) as zf:
        for inner, data in members.items():
            info = zipfile.ZipInfo(inner, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, data)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    (OUT_DIR / (BUNDLE_NAME + ".sha256")).write_text(f"{digest}  {BUNDLE_NAME}\n")
    print(f"wrote {out} ({out.stat().st_size} bytes) sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
