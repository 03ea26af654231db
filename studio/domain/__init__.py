"""Pure values and math of the studio: scripts, shots, keyframes, timing, motion.

Nothing here touches the file system, ffmpeg, OpenCV or torch.
"""

from studio.domain.script import (
    AGE_BUCKETS,
    SEGMENTS,
    CameraMovement,
    Keyframe,
    Script,
    Shot,
)

__all__ = ["AGE_BUCKETS", "SEGMENTS", "CameraMovement", "Keyframe", "Script", "Shot"]
