"""The depth-aware camera (2.5D parallax): its geometry on a synthetic scene with depth given, the depth cache,
the real transformers loading path with a tiny random-weight Depth Anything, the CLI, and the app's controls."""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.backends.camera import DepthField, ParallaxCamera
from studio.backends.flow import FlowInterpolator, warp_camera
from studio.backends.keyframe_animator import AnimationSettings, KeyframeAnimator, ShotTiming
from studio.cli import main
from studio.config import PipelineConfig
from studio.domain import CameraMovement
from studio.domain.motion import CameraWindow, camera_window, parallax_gain
from studio.media.probe import probe_clip
from studio.services import Selection, Studio
from studio.services.render.depth import CachedDepth
from studio.services.render.plan import input_hash
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_VIDEO, SMALL_WIDTH

W, H = 240, 432
SQUARE = (70, 166, 100)  # left, top, side of the near square, in canvas pixels


def texture(shape: tuple[int, int], seed: int) -> np.ndarray:
    noise = cv2.GaussianBlur(np.random.default_rng(seed).random(shape).astype(np.float32), (0, 0), 2)
    return ((noise - noise.min()) / (noise.max() - noise.min()) * 255).astype(np.uint8)


def scene() -> tuple[np.ndarray, np.ndarray]:
    """A near red-textured square over a far green-textured plane (no red at all), and its disparity."""
    left, top, side = SQUARE
    image = np.zeros((H, W, 3), np.uint8)
    image[..., 1] = texture((H, W), 0)
    image[top:top + side, left:left + side] = 0
    image[top:top + side, left:left + side, 0] = np.maximum(texture((side, side), 1), 60)
    depth = np.zeros((H, W), np.float32)
    depth[top:top + side, left:left + side] = 1.0
    return image, depth


class GivenDepth:
    """A depth 'model' that returns the scene's own disparity, and counts its calls."""

    source = "given"

    def __init__(self, depth: np.ndarray) -> None:
        self.depth, self.calls = depth, 0

    def estimate(self, image: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.depth


def truck(progress: float, depth: DepthField, strength: float) -> tuple[CameraWindow, ParallaxCamera]:
    window = camera_window(CameraMovement.PAN_RIGHT, progress, 1.0, (W, H))
    return window, ParallaxCamera(window, (W, H), depth, strength)


def shift(first: np.ndarray, second: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x, y, w, h = box
    grey = [cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[y:y + h, x:x + w].astype(np.float64) for frame in (first, second)]
    (dx, _), _ = cv2.phaseCorrelate(*grey)
    return dx


def test_near_things_move_more_than_far_ones_in_the_expected_ratio():
    image, depth = scene()
    field, strength = DepthField.from_estimate(depth, (W, H)), 0.5
    (window_a, camera_a), (window_b, camera_b) = truck(0.4, field, strength), truck(0.6, field, strength)
    a, b = warp_camera(image, camera_a, (W, H)), warp_camera(image, camera_b, (W, H))
    near = shift(a, b, (96, 190, 48, 48))  # inside the square in both frames
    far = shift(a, b, (60, 20, 120, 100))  # background well above it
    flat = -(window_b.center_x - window_a.center_x) * window_a.zoom  # what plain Ken Burns moves everything by
    expected_near, expected_far = flat * parallax_gain(1.0, strength), flat * parallax_gain(0.0, strength)
    assert near == pytest.approx(expected_near, rel=0.1) and far == pytest.approx(expected_far, rel=0.1)
    assert near / far == pytest.approx(expected_near / expected_far, rel=0.1)  # 3.0: measured 3.02


def test_revealed_background_comes_from_the_background_and_the_near_square_covers_the_far():
    image, depth = scene()
    window, camera = truck(1.0, DepthField.from_estimate(depth, (W, H)), 1.0)
    frame = warp_camera(image, camera, (W, H))
    left, top, side = SQUARE

    def columns(gain: float) -> tuple[int, int]:
        """Output columns of the square's left and right edges as seen by the window of `gain`."""
        moved = CameraWindow(W / 2 + (window.center_x - W / 2) * gain, window.center_y, window.zoom)
        (scale, _, offset), _ = moved.affine((W, H), (W, H))
        return round((left - offset) / scale), round((left + side - offset) / scale)

    flat_left, flat_right = columns(1.0)
    near_left, near_right = columns(parallax_gain(1.0, 1.0))
    assert near_right < flat_right - 10  # the truck right moves the near square left of where Ken Burns puts it
    rows = slice(round((top - window.center_y) * window.zoom + H / 2) + 3,
                 round((top + side - window.center_y) * window.zoom + H / 2) - 3)
    revealed = frame[rows, near_right + 3:flat_right - 2]
    covered = frame[rows, near_left + 2:flat_left - 2]
    assert revealed.size and covered.size
    assert revealed[..., 0].max() == 0  # no red: background only, nothing smeared from the square
    assert covered[..., 0].min() >= 60 and covered[..., 1].max() == 0  # the square, not the plane behind it


def test_strength_zero_is_plain_ken_burns_pixel_for_pixel():
    image, depth = scene()
    moved = np.roll(image, 4, axis=1)  # a second keyframe, so the flow interpolator's maps are used too
    timing = ShotTiming(1.0, (0.0, 1.0), CameraMovement.PAN_RIGHT)
    animator = KeyframeAnimator(FlowInterpolator(), GivenDepth(depth))
    flat = list(animator.animate([image, moved], timing, AnimationSettings(output_size=(W, H))))
    zero = list(animator.animate([image, moved], timing, AnimationSettings(output_size=(W, H), depth_strength=0.0)))
    some = list(animator.animate([image, moved], timing, AnimationSettings(output_size=(W, H), depth_strength=0.5)))
    assert len(flat) == len(zero) == 30
    assert all(np.array_equal(a, b) for x, y in zip(flat, zero, strict=True) for a, b in zip(x.planes(), y.planes()))
    assert not np.array_equal(flat[0].y, some[0].y) and some[0].size == (W, H)
    # The planar frames (what the encoder gets) show what the RGB path shows, parallax included.
    rgb = KeyframeAnimator(FlowInterpolator(planar=False), GivenDepth(depth))
    some_rgb = list(rgb.animate([image, moved], timing, AnimationSettings(output_size=(W, H), depth_strength=0.5)))
    for index in (0, 15, 29):
        assert cv2.PSNR(some[index].to_rgb(), some_rgb[index]) > 35


def test_depth_is_estimated_once_per_keyframe_and_kept_on_disk(tmp_path):
    image, depth = scene()
    model = GivenDepth(depth)
    first = CachedDepth(model, tmp_path).estimate(image)
    again = CachedDepth(model, tmp_path).estimate(image.copy())
    assert model.calls == 1 and np.array_equal(first, again) and first.shape == (H, W)
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".npy", ".png"]
    CachedDepth(model, tmp_path).estimate(np.ascontiguousarray(image[::-1]))  # other pixels: estimated anew
    assert model.calls == 2


def test_the_input_hash_covers_the_depth_settings_only_while_depth_is_on(small_workspace):
    studio = Studio.open(small_workspace)
    script = studio.workspace.find_script(SAMPLE_TITLE)
    shot, paths = script.shots[1], studio.workspace.keyframe_paths(script, script.shots[1])

    def digest(**depth) -> str:
        config = PipelineConfig.model_validate({"interpolation": {"depth": depth}})
        return input_hash(paths, shot, config, "veryfast")

    assert digest() == digest(strength=0.9, model="elsewhere")  # off: as before depth existed
    assert len({digest(), digest(enabled=True), digest(enabled=True, strength=0.3), digest(enabled=True, model="m")}) == 4


def depth_workspace(workspace, model: str, enabled: bool = True, strength: float = 0.5):
    depth = {"enabled": enabled, "model": model, "strength": strength}
    (workspace.root / "config" / "pipeline.yaml").write_text(SMALL_VIDEO + f"interpolation: {json.dumps({'depth': depth})}\n")
    return workspace


def clip_dir(workspace) -> Path:
    return workspace.root / "videos" / "interp" / "women" / "14-17" / SAMPLE_TITLE


def test_the_tiny_depth_model_loads_by_path_offline_and_a_shot_renders_to_spec(small_workspace, tiny_depth):
    from studio.backends.depth import DepthAnythingEstimator

    estimate = DepthAnythingEstimator.load(str(tiny_depth)).estimate(np.zeros((90, 50, 3), np.uint8))
    assert estimate.shape == (90, 50) and estimate.dtype == np.float32 and np.isfinite(estimate).all()
    shutil.copytree(tiny_depth, small_workspace.root / "models" / "depth")  # a folder inside the workspace
    workspace = depth_workspace(small_workspace, "models/depth", strength=0.7)
    report = Studio.open(workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=4))  # zoom out, 1 keyframe
    assert [o.status for o in report.outcomes] == ["rendered"]
    info = probe_clip(clip_dir(workspace) / "shot_004.mp4")
    assert info.spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, fps=30, expected_frames=210) == []
    metadata = json.loads((clip_dir(workspace) / f"{SAMPLE_TITLE}_interp_metadata.json").read_text())
    [record] = metadata["shots"]
    assert (record["depth_model"], record["depth_strength"]) == (str(workspace.root / "models" / "depth"), 0.7)
    assert len(list((workspace.root / "cache" / "depth").glob("*.png"))) == 1


def test_generate_with_depth_on_renders_a_sample_shot_with_the_tiny_model(small_workspace, tiny_depth, capsys):
    workspace = depth_workspace(small_workspace, str(tiny_depth))
    args = ["generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE, "--shot", "2", "--method", "interp"]
    assert main(args) == 0  # pan right (a truck), two keyframes: the parallax camera inside the flow's maps
    info = probe_clip(clip_dir(workspace) / "shot_002.mp4")
    assert info.spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, fps=30, expected_frames=210) == []
    assert "1 rendered" in capsys.readouterr().err


def test_an_unloadable_depth_model_says_how_to_get_it_and_renders_nothing(small_workspace, tiny_depth, monkeypatch,
                                                                         capsys):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # read once, at import
    workspace = depth_workspace(small_workspace, "depth-anything/Depth-Anything-V2-Small-hf")
    args = ["generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE, "--shot", "4"]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert ("the depth model 'depth-anything/Depth-Anything-V2-Small-hf' (interpolation.depth.model) is not downloaded, "
            "and the Hugging Face hub cannot be reached") in error
    assert "hf download depth-anything/Depth-Anything-V2-Small-hf --local-dir models/depth" in error
    assert "interpolation.depth.enabled off" in error
    assert not clip_dir(workspace).exists()  # nothing half-rendered
    depth_workspace(workspace, "depth-anything/Depth-Anything-V2-Small-hf", enabled=False)
    assert main(args) == 0  # plain Ken Burns needs no model
    assert probe_clip(clip_dir(workspace) / "shot_004.mp4").num_frames == 210


def test_the_library_and_render_shot_take_the_depth_controls(small_workspace, tiny_depth, tmp_path):
    gradio_client = pytest.importorskip("gradio_client")
    from studio.services import ReviewDesk
    from studio.store import VoteStore
    from tests.serving import launched

    desk = ReviewDesk(Studio.open(depth_workspace(small_workspace, str(tiny_depth), enabled=False)),
                      VoteStore(tmp_path / "votes.db"))
    with launched(desk) as url:
        client = gradio_client.Client(url, verbose=False)
        assert client.predict(SAMPLE_TITLE, "shot-004", api_name="/shot_details")["depth_maps"] == []  # not estimated yet
        status, _, take = client.predict(title_id=SAMPLE_TITLE, shot_id="shot-004", preset="ultrafast", who="Ola",
                                         depth=True, depth_strength=0.3, api_name="/render_shot")
        assert status.startswith("Take `")
        assert (take["depth_model"], take["depth_strength"], take["num_frames"]) == (str(tiny_depth), 0.3, 210)
        depth_maps = client.predict(SAMPLE_TITLE, "shot-004", api_name="/shot_details")["depth_maps"]
        assert [item["name"] for item in depth_maps] == ["shot_004_A.png"]
        _, _, flat = client.predict(title_id=SAMPLE_TITLE, shot_id="shot-004", preset="ultrafast", who="Ola",
                                    api_name="/render_shot")  # the page's default: the workspace's (off)
        assert "depth_model" not in flat  # no depth: the field is left out of the take's metadata, not null
    assert [t.variant for t in desk.store.takes(SAMPLE_TITLE, "shot-004")] == [
        "interp motion 0.50 smooth depth 0.30", "interp motion 0.50 smooth"]


def test_a_hub_depth_model_that_cannot_be_downloaded_is_refused_after_one_look(monkeypatch):
    pytest.importorskip("transformers")
    import huggingface_hub
    import transformers

    from studio.backends.depth import DepthAnythingEstimator
    from studio.errors import BackendUnavailableError

    looks = []

    def unreachable(repo_id, **options):  # as on a machine without network: the one look fails
        looks.append((repo_id, options.get("timeout")))
        raise ConnectionError("no route to huggingface.co")

    monkeypatch.setattr(huggingface_hub, "model_info", unreachable)
    monkeypatch.setattr(transformers.AutoModelForDepthEstimation, "from_pretrained",
                        lambda *a, **k: pytest.fail("transformers was left to retry the download"))
    with pytest.raises(BackendUnavailableError, match=r"the depth model 'depth-anything/Depth-Anything-V2-Small-hf' "
                       r"\(interpolation.depth.model\) is not downloaded, and the Hugging Face hub cannot be reached "
                       r"from here to download it \(ConnectionError\)\. on a machine with network access run `hf download"):
        DepthAnythingEstimator.load("depth-anything/Depth-Anything-V2-Small-hf")
    assert looks == [("depth-anything/Depth-Anything-V2-Small-hf", 5.0)]
