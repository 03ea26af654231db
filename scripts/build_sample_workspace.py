"""Build assets/sample_workspace from the real photographs in ../shared/photos.

Each keyframe is a 9:16 crop of a photograph, scaled to 486x864 (small enough
to keep assets/ light; the renderer scales the finished frames to 1080x1920).
A shot's keyframes are crops of the same photograph moved the way its camera
moves, so the interpolator has real motion to follow; one shot joins two
different photographs on purpose (a cut the interpolator must dissolve).

Run from the repository root:  python scripts/build_sample_workspace.py
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PHOTOS = REPO.parent / "shared" / "photos"
TARGET = REPO / "assets" / "sample_workspace"
KEYFRAME_SIZE = (486, 864)

SEEDING = "seeding_by_Clements_Engelhardt.jpg"
SUNSET = "sunset_by_Aitzol_Berasategi.jpg"
PICOS = "picosdeeuropa_by_Aitzol_Berasategi.jpg"
LIFE = "life_by_Aitzol_Berasategi.jpg"
FRIENDS = "friends_by_Aitzol_Berasategi.jpg"
FIG = "Picture_0B_by_freespace.jpg"
BRIDGE = "Bridge_by_Sander_Klootwijk.jpg"
DRAGONFLY = "Dragonfly_by_Bolly.jpg"
ASTRONAUT = "astronaut.png"

# A keyframe: (photo, centre x, centre y, crop height), all as fractions of the photo.
Crop = tuple[str, float, float, float]

TITLES = [
    {
        "title_id": "9f7bca19-0bcb-48fc-b06f-55f8c3e65d67",
        "title": "Golden hour in the meadow",
        "segment": "women",
        "age_bucket": "14-17",
        "shots": [
            ("Close-up of a dandelion seed head glowing in low golden-hour sun, meadow grass softly out of focus, warm backlight, shallow depth of field",
             "zoom_in", 8.0, [(SEEDING, 0.43, 0.45, 0.95), (SEEDING, 0.43, 0.42, 0.75)],
             "Some evenings the light turns everything to gold."),
            ("A dragonfly resting on a bare twig against deep blue sky, sunlit leaves around it, crisp natural detail",
             "pan_right", 7.0, [(DRAGONFLY, 0.44, 0.45, 0.9), (DRAGONFLY, 0.56, 0.45, 0.9)],
             "You only notice the small things when you slow down."),
            ("A forest stream tumbling over mossy limestone steps, green canopy above, soft diffuse daylight",
             "tilt_down", 9.0, [(LIFE, 0.75, 0.40, 0.8), (LIFE, 0.76, 0.50, 0.8), (LIFE, 0.77, 0.60, 0.8)],
             "Follow the water and the noise in your head gets quieter."),
            ("Half a fresh fig in a glossy red bowl on weathered concrete, top-down still life, hard afternoon shadow",
             "zoom_out", 7.0, [(FIG, 0.76, 0.42, 0.62)],
             "Snack break. Nature did the plating."),
            ("A dirt trail climbing a green alpine meadow towards jagged grey peaks, white clouds over blue sky",
             "pan_left", 10.0, [(PICOS, 0.40, 0.55, 1.0), (PICOS, 0.28, 0.55, 1.0)],
             "The path is steep, but the view keeps getting better."),
            ("Match cut from dandelion seeds to the sun setting over distant hills, warm lens flare, end of the day",
             "static", 9.0, [(SEEDING, 0.43, 0.45, 0.95), (SUNSET, 0.83, 0.55, 1.0)],
             "And when the sun goes down, you already know you'll be back."),
        ],
    },
    {
        "title_id": "d109fc88-84b8-45d0-bfcc-b15887d103c3",
        "title": "Weekend off the grid",
        "segment": "men",
        "age_bucket": "18-23",
        "shots": [
            ("Looking up through the steel cables of a suspension bridge at a pale blue sky, tidal flats far below",
             "tilt_up", 8.0, [(BRIDGE, 0.55, 0.55, 1.0), (BRIDGE, 0.55, 0.42, 1.0)],
             "Friday, five p.m. Phone goes in the glovebox."),
            ("Wide shot of limestone peaks above a grassy pass, a worn trail leading into the mountains",
             "zoom_in", 9.0, [(PICOS, 0.62, 0.45, 1.0), (PICOS, 0.62, 0.42, 0.8)],
             "Two days, one backpack, no signal."),
            ("A clear stream cutting through a mossy gorge in dense forest, water catching the light",
             "pan_right", 8.0, [(LIFE, 0.30, 0.55, 0.85), (LIFE, 0.45, 0.55, 0.85)],
             "Refill the bottle straight from the source."),
            ("Sun sinking behind layered blue ridges, golden light raking across a rocky summit, quiet and vast",
             "zoom_out", 10.0, [(SUNSET, 0.83, 0.50, 0.8), (SUNSET, 0.80, 0.52, 1.0)],
             "Sunset from the top hits different when you walked up."),
            ("Macro of a dragonfly on a twig with leaves backlit by the sun, wings sharp against a blue sky",
             "static", 6.0, [(DRAGONFLY, 0.47, 0.40, 0.8)],
             "Company at camp."),
            ("Dandelion clocks in a field at dusk, seeds lit from behind, grass blades swaying",
             "tilt_down", 9.0, [(SEEDING, 0.60, 0.40, 0.9), (SEEDING, 0.60, 0.55, 0.9)],
             "Back on Monday. Already planning the next one."),
        ],
    },
    {
        "title_id": "8a65dbbd-b924-4f84-a4b0-8a2cbcb642c5",
        "title": "Backyard explorers",
        "segment": "women",
        "age_bucket": "10-13",
        "shots": [
            ("Two curious spaniels peeking out of the windows of a white wooden cabin, one above the other",
             "zoom_in", 8.0, [(FRIENDS, 0.55, 0.40, 0.75), (FRIENDS, 0.56, 0.35, 0.55)],
             "Meet the backyard research team."),
            ("A dragonfly perched on a branch tip, leaves glowing in the sun, bright blue sky",
             "zoom_out", 7.0, [(DRAGONFLY, 0.47, 0.36, 0.6), (DRAGONFLY, 0.47, 0.45, 0.95)],
             "Today's discovery: a dragonfly can see almost all the way around."),
            ("A meadow full of dandelion seed heads at sunset, one in sharp focus in the foreground",
             "pan_left", 9.0, [(SEEDING, 0.55, 0.45, 0.9), (SEEDING, 0.40, 0.45, 0.9)],
             "Make a wish, then count the seeds. Too many!"),
            ("A fig cut in half in a bright red bowl, seen from above, bold colours",
             "tilt_up", 7.0, [(FIG, 0.78, 0.55, 0.7), (FIG, 0.78, 0.40, 0.7)],
             "Lunch is science too: every fig is full of tiny flowers."),
            ("Portrait of a smiling astronaut in an orange flight suit, space shuttle model and flag behind her",
             "zoom_in", 9.0, [(ASTRONAUT, 0.40, 0.55, 0.95), (ASTRONAUT, 0.35, 0.45, 0.7)],
             "Eileen Collins was the first woman to command a space shuttle."),
            ("The sun touching the horizon over rolling hills, long shadows on a rocky hilltop, warm evening glow",
             "pan_right", 8.0, [(SUNSET, 0.70, 0.55, 0.9), (SUNSET, 0.84, 0.55, 0.9)],
             "Tomorrow: the night sky."),
        ],
    },
]

NEGATIVE = "blurry, distorted faces, text, watermark, jitter, low quality"

CONFIG = """\
# Shot Video Studio pipeline settings. Every key is optional; see the README.
switches:
  use_ltx: false            # default method: false = interpolation, true = LTX-Video

ltx_video:
  model: ltx-video-2b-distilled  # a preset (presets/*.yaml), a repo id or a folder
  two_stage: true           # run the preset's two-stage recipe where it has one
  num_frames: null          # null = the model preset's
  width: null
  height: null
  fps: null
  num_inference_steps: null
  guidance_scale: null      # null = the preset's (1 for distilled models)
  seed: 42
  motion_bucket_id: 127

interpolation:
  method: flow              # optical flow, no model weights
  source_fps: 24
  target_fps: 30
  smooth_motion: true
  ken_burns:
    enabled: true
    strength: 0.5           # 0 = still, 1 = 1.25x zoom / pan across a fifth of the frame

video:
  width: 1080
  height: 1920
  fps: 30
  codec: libx264
  pix_fmt: yuv420p
  bitrate: 10M              # constant; the spec allows 8-12 Mbps
  preset: veryfast          # x264 speed/quality trade-off
  fit: cover                # cover = crop to fill, contain = blurred bars
"""


def crop(photo: Image.Image, centre_x: float, centre_y: float, height_fraction: float) -> Image.Image:
    width, height = photo.size
    crop_h = height * height_fraction
    crop_w = crop_h * 9 / 16
    if crop_w > width:
        crop_w, crop_h = width, width * 16 / 9
    left = min(max(0.0, centre_x * width - crop_w / 2), width - crop_w)
    top = min(max(0.0, centre_y * height - crop_h / 2), height - crop_h)
    box = (round(left), round(top), round(left + crop_w), round(top + crop_h))
    return photo.crop(box).resize(KEYFRAME_SIZE, Image.Resampling.LANCZOS)


def main() -> int:
    if not PHOTOS.is_dir():
        print(f"photos not found at {PHOTOS}", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    (TARGET / "config").mkdir(parents=True)
    (TARGET / "config" / "pipeline.yaml").write_text(CONFIG)
    photos: dict[str, Image.Image] = {}
    for title in TITLES:
        segment, age, title_id = title["segment"], title["age_bucket"], title["title_id"]
        keyframe_dir = TARGET / "images" / "keyframes_v1" / segment / age / title_id
        keyframe_dir.mkdir(parents=True)
        shots = []
        for number, (description, movement, duration, crops, narration) in enumerate(title["shots"], start=1):
            names = []
            for index, (name, cx, cy, fraction) in enumerate(crops):
                if name not in photos:
                    photos[name] = Image.open(PHOTOS / name).convert("RGB")
                suffix = "A" if index == 0 else "A_end" if index == len(crops) - 1 else chr(ord("A") + index)
                file_name = f"shot_{number:03d}_{suffix}.png"
                crop(photos[name], cx, cy, fraction).save(keyframe_dir / file_name, optimize=True)
                names.append(file_name)
            shots.append({
                "shot_id": f"shot-{number:03d}",
                "description": description,
                "negative_prompt": NEGATIVE,
                "camera_movement": movement,
                "duration_s": duration,
                "keyframes": [{"file": name} for name in names],
                "narration": narration,
            })
        script = {key: title[key] for key in ("title_id", "title", "segment", "age_bucket")} | {"shots": shots}
        script_path = TARGET / "scenes" / "json" / segment / age / f"{title_id}.json"
        script_path.parent.mkdir(parents=True, exist_ok=True)
        script_path.write_text(json.dumps(script, indent=2) + "\n")
        print(f"{title['title']}: {sum(s['duration_s'] for s in shots):g} s, {len(shots)} shots")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
