"""Parts of the frame to look in when the person is too small in it to be found.

BlazePose's detector sees the whole frame shrunk to 224x224 pixels, and it
finds a person by the face. A person kneeling three or four metres from the
camera, a fifth of the frame tall, has a face of a few pixels there, and is
not found, although the landmark model would place them well (it works on
its own crop of the frame, at full resolution, once it knows where to look).
Measured on a kneeling stretch filling 0.38 of a 1280x720 frame: found in 2
of 150 frames; in the frame's centre cut to two thirds or half of its size,
in 150 of 150.

So when nobody is found anywhere (``OrientedDetector``'s search), the search
also tries crops of the frame, and once the person is found in one, keeps
looking in a crop that follows them: the landmark model then tracks them
from frame to frame as it does in a whole frame, on the same pixels. The
crop goes back to the whole frame once the person fills half of it.
"""

from __future__ import annotations

import numpy as np

from posturecam.pose import Box

# The search's crops are this share of the frame's width and height, on a grid that overlaps by half
# (so anyone up to about a quarter of the frame in size lies wholly inside one of them).
SEARCH_CROP_SCALE = 0.5
# A followed crop is this many times the person's extent on screen (their box's larger share of the
# frame's width or height), so the person fills about half of it, with room to move.
FOLLOW_SCALE = 2.0
# Never a crop smaller than this share of the frame (the person tiny even so: the model's limit).
MIN_CROP_SCALE = 0.25
# A crop would have to be at least this share of the frame: use the whole frame.
FULL_FRAME_SCALE = 0.9
# The person's box nearer a crop's edge than this share of the crop: move the crop.
EDGE_MARGIN = 0.1
# Found only in a crop in over this share of the frames with a person: the summary says so.
SMALL_NOTE_SHARE = 0.25


def search_crops(width: int, height: int) -> list[Box]:
    """Crops of ``SEARCH_CROP_SCALE`` of the frame on a grid overlapping by half, the centre first."""
    cw, ch = round(width * SEARCH_CROP_SCALE), round(height * SEARCH_CROP_SCALE)
    xs = np.linspace(0, width - cw, 3).round().astype(int)
    ys = np.linspace(0, height - ch, 3).round().astype(int)
    boxes = [(int(x), int(y), int(x) + cw, int(y) + ch) for y in ys for x in xs]
    return [boxes[4], *boxes[:4], *boxes[5:]]


def box_around(cx: float, cy: float, scale: float, width: int, height: int) -> Box:
    """A crop of ``scale`` of the frame's width and height centred on (cx, cy), kept inside the frame."""
    cw, ch = max(1, round(width * scale)), max(1, round(height * scale))
    x0 = int(np.clip(round(cx - cw / 2), 0, width - cw))
    y0 = int(np.clip(round(cy - ch / 2), 0, height - ch))
    return x0, y0, x0 + cw, y0 + ch


def follow(xy: np.ndarray, width: int, height: int, crop: Box) -> Box | None:
    """The crop to look in next frame, for a person at ``xy`` (pixels) found in ``crop``; None: the whole frame.

    The crop stays put while the person is well inside it and about the size it was cut
    for: MediaPipe tracks them from their last position in the crop's own coordinates,
    so every move of the crop shifts where the tracker looks.
    """
    lo = np.clip(xy.min(axis=0), 0, (width, height))
    hi = np.clip(xy.max(axis=0), 0, (width, height))
    extent = max((hi[0] - lo[0]) / width, (hi[1] - lo[1]) / height)
    scale = max(FOLLOW_SCALE * float(extent), MIN_CROP_SCALE)
    if scale >= FULL_FRAME_SCALE:
        return None
    x0, y0, x1, y1 = crop
    mx, my = EDGE_MARGIN * (x1 - x0), EDGE_MARGIN * (y1 - y0)
    inside = lo[0] - x0 >= mx and x1 - hi[0] >= mx and lo[1] - y0 >= my and y1 - hi[1] >= my
    current = (x1 - x0) / width
    if inside and scale / 1.5 <= current <= scale * 1.5:
        return crop
    return box_around((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, scale, width, height)


def small_in_frame_json(cropped_frames: int, frames_with_person: int) -> dict[str, object]:
    """The summary's account of frames where the person was found only in a crop, with one plain
    sentence when it matters: a person that small is measured less precisely (a thigh of about
    40 pixels in a 720p frame), and moving the camera closer is the user's fix."""
    share = cropped_frames / frames_with_person if frames_with_person else 0.0
    note = None
    if share > SMALL_NOTE_SHARE:
        note = (f"You were small in the picture (posturecam had to zoom in to find you in {share:.0%} of the "
                "frames), so the angles are less precise. Bring the camera closer, so that your body fills "
                "most of the picture with your feet still in it.")
    return {"frames": cropped_frames, "share": round(share, 3), "note": note}


__all__ = ["SMALL_NOTE_SHARE", "box_around", "follow", "search_crops", "small_in_frame_json"]
