"""FILM through the real loading code, with a scripted TorchScript stand-in for film_net_fp32.pt.

Why a stand-in: the port's release (github.com/dajes/frame-interpolation-pytorch, film_net_fp32.pt) cannot be
downloaded here (no GitHub access), so these tests build TorchScript modules with the port's call contract,
forward(img1, img2, dt) -> (N, 3, H, W), save them with torch.jit.save and load them as the studio loads the real
file. The stand-in blends linearly in time, so each in-between is known exactly: what is verified is the
contract around the network (time, channel order, value range, padding, scaling, errors, wiring), not the real
network's pictures.
"""

import hashlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from studio.backends import interpolator  # noqa: E402
from studio.backends.base import IDENTITY  # noqa: E402
from studio.backends.film import PAD_MULTIPLE, working_size  # noqa: E402
from studio.cli import main  # noqa: E402
from studio.config import parse_pipeline_config  # noqa: E402
from studio.errors import BackendUnavailableError, ConfigError  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from studio.services.render.weights import check_film_sha256  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, real_photo  # noqa: E402


class LinearBlend(torch.nn.Module):
    """FILM's signature; the frame at dt is the linear blend, and inputs must come padded as the port pads them."""

    def forward(self, img1: torch.Tensor, img2: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        assert img1.shape[2] % 64 == 0 and img1.shape[3] % 64 == 0, "inputs not padded to multiples of 64"
        weight = dt.reshape(-1, 1, 1, 1)
        return img1 * (1 - weight) + img2 * weight


class RedEverywhere(torch.nn.Module):
    """The blend of channel 0 in all three channels: the output shows which channel the model was given first."""

    def forward(self, img1: torch.Tensor, img2: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        weight = dt.reshape(-1, 1, 1, 1)
        return (img1[:, :1] * (1 - weight) + img2[:, :1] * weight).expand(-1, 3, -1, -1)


class OneInput(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class WrongShape(torch.nn.Module):
    def forward(self, img1: torch.Tensor, img2: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        return img1[:, :1]


class FailsToRun(torch.nn.Module):
    def forward(self, img1: torch.Tensor, img2: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        return torch.cat((img1, dt), 1)  # dt is (N, 1): a shape error inside the module


def scripted(module: torch.nn.Module, path):
    torch.jit.save(torch.jit.script(module), str(path))
    return path


@pytest.fixture(scope="module")
def blend_weights(tmp_path_factory):
    return scripted(LinearBlend(), tmp_path_factory.mktemp("film") / "film_net_fp32.pt")


def quantised(image: np.ndarray) -> np.ndarray:
    # Multiples of 4 make every blend at t = 0.25, 0.5, 0.75 an integer, so frames compare exactly.
    return np.ascontiguousarray(image // 4 * 4)


def expected_blend(first: np.ndarray, last: np.ndarray, t: float) -> np.ndarray:
    return (first.astype(np.float64) * (1 - t) + last.astype(np.float64) * t).round().astype(np.uint8)


def test_in_betweens_are_the_blend_at_their_time_and_the_ends_are_the_keyframes(blend_weights):
    first, last = quantised(real_photo("forest", 128)[:192]), quantised(real_photo("mountains", 128)[:192])
    film = interpolator("film", film_weights=blend_weights)
    assert film.name == "film" and film.weights == blend_weights
    transition = film.transition(first, last)
    for t in (0.25, 0.5, 0.75):
        assert np.array_equal(transition.render(t, IDENTITY, (128, 192)), expected_blend(first, last, t)), t
    assert np.array_equal(transition.render(0.0, IDENTITY, (128, 192)), first)
    assert np.array_equal(transition.render(1.0, IDENTITY, (128, 192)), last)


def test_the_model_is_given_rgb_in_channel_order(tmp_path):
    first = np.zeros((64, 64, 3), np.uint8)
    first[..., 0], first[..., 2] = 200, 40  # red 200, blue 40: BGR input would show 40s
    last = np.zeros_like(first)
    last[..., 0], last[..., 2] = 100, 240
    transition = interpolator("film", film_weights=scripted(RedEverywhere(), tmp_path / "red.pt")).transition(first, last)
    assert np.array_equal(transition.frame(0.5), np.full((64, 64, 3), 150, np.uint8))


def test_odd_sizes_are_padded_to_64_and_cropped_back_exactly(blend_weights):
    """97x61 reaches the model as 128x64 (it asserts so) and comes back pixel for pixel."""
    first, last = quantised(real_photo("forest", 61)[:97]), quantised(real_photo("mountains", 61)[:97])
    assert first.shape == (97, 61, 3) and -97 % PAD_MULTIPLE and -61 % PAD_MULTIPLE
    frame = interpolator("film", film_weights=blend_weights).transition(first, last).frame(0.25)
    assert np.array_equal(frame, expected_blend(first, last, 0.25))


def test_large_keyframes_run_scaled_to_the_pixel_limit_and_come_back_full_size(blend_weights):
    assert working_size(1920, 1080, 1_048_576) == (1365, 768)  # 1.048 MP, 9:16 kept
    assert working_size(1920, 1080, None) == (1920, 1080)
    assert working_size(384, 216, 1_048_576) == (384, 216)
    first = np.full((1920, 1080, 3), (200, 40, 12), np.uint8)  # flat colours: exact whatever the scale
    last = np.full((1920, 1080, 3), (20, 100, 252), np.uint8)
    frame = interpolator("film", film_weights=blend_weights).transition(first, last).frame(0.75)
    assert np.array_equal(frame, np.full((1920, 1080, 3), (65, 85, 192), np.uint8))


def test_each_bad_weights_file_gets_its_message(tmp_path):
    with pytest.raises(BackendUnavailableError, match="FILM needs weights: set interpolation.film_weights"):
        interpolator("film")
    with pytest.raises(BackendUnavailableError, match=r"FILM weights not found at .*missing\.pt; download film_net_fp32.pt"):
        interpolator("film", film_weights=tmp_path / "missing.pt")
    (tmp_path / "text.pt").write_text("not weights")
    with pytest.raises(BackendUnavailableError, match=r"text\.pt is not a TorchScript file .*film_net_fp32.pt"):
        interpolator("film", film_weights=tmp_path / "text.pt")
    torch.save({"weight": torch.zeros(3)}, tmp_path / "state.pt")  # a state dict, as RIFE ships, is no TorchScript
    with pytest.raises(BackendUnavailableError, match=r"state\.pt is not a TorchScript file"):
        interpolator("film", film_weights=tmp_path / "state.pt")
    with pytest.raises(BackendUnavailableError, match=r"one\.pt is TorchScript but not FILM: its forward takes \(x\) "
                                                      r"and returns Tensor, where FILM is forward\(img1, img2, dt\)"):
        interpolator("film", film_weights=scripted(OneInput(), tmp_path / "one.pt"))
    with pytest.raises(BackendUnavailableError, match=r"shape\.pt returned \(1, 1, 128, 128\) for a \(1, 3, 128, 128\) pair"):
        interpolator("film", film_weights=scripted(WrongShape(), tmp_path / "shape.pt"))
    with pytest.raises(BackendUnavailableError, match=r"fails\.pt does not run as FILM forward\(img1, img2, dt\) on a "
                                                      r"\(1, 3, 128, 128\) pair \(.+\); download film_net_fp32.pt"):
        interpolator("film", film_weights=scripted(FailsToRun(), tmp_path / "fails.pt"))


def test_the_cli_prints_the_message_and_no_traceback(tmp_path, capsys):
    import cv2

    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((64, 64, 3), np.uint8))
    (tmp_path / "text.pt").write_text("not weights")
    code = main(["interpolate", str(tmp_path / "a.png"), str(tmp_path / "a.png"), "--count", "1", "--out",
                 str(tmp_path / "out"), "--method", "film", "--weights", str(tmp_path / "text.pt")])
    err = capsys.readouterr().err
    assert code == 2 and "text.pt is not a TorchScript file" in err and "Traceback" not in err
    assert not list((tmp_path / "out").glob("*.png"))


def test_film_without_weights_in_pipeline_yaml_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match=r"method 'film' needs interpolation\.film_weights"):
        parse_pipeline_config({"interpolation": {"method": "film"}}, "pipeline.yaml")
    with pytest.raises(ConfigError, match=r"interpolation\.film_sha256"):
        parse_pipeline_config({"interpolation": {"film_sha256": "abc"}}, "pipeline.yaml")
    config = parse_pipeline_config({"interpolation": {"method": "film", "film_weights": "models/film.pt"}}, "p.yaml")
    assert (config.interpolation.film_weights, config.interpolation.film_max_pixels) == ("models/film.pt", 1_048_576)


def test_a_configured_sha256_is_checked_before_any_shot(small_workspace, blend_weights):
    digest = hashlib.sha256(blend_weights.read_bytes()).hexdigest()
    assert check_film_sha256(blend_weights, digest) is None
    (small_workspace.root / "config" / "pipeline.yaml").write_text(
        f"video: {{width: {SMALL_WIDTH}, height: {SMALL_HEIGHT}}}\ninterpolation: {{method: film, film_weights: '{blend_weights}', "
        f"film_sha256: '{'0' * 64}'}}\n"
    )
    with pytest.raises(BackendUnavailableError, match=f"has SHA-256 {digest}, not the configured interpolation.film_sha256 0+"):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE))
    assert not list(small_workspace.root.glob("videos/interp/**/*.mp4"))


def test_a_shot_renders_to_spec_with_film_and_its_metadata_names_film_and_the_file(small_workspace, blend_weights, capsys):
    code = main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "2",
                 "--interp-method", "film", "--film-weights", str(blend_weights)])
    assert code == 0, capsys.readouterr().err
    [clip] = small_workspace.root.glob("videos/interp/*/*/*/shot_002.mp4")
    assert probe_clip(clip).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    metadata = small_workspace.read_metadata(small_workspace.find_script(SAMPLE_TITLE), "interp")
    [record] = [r for r in metadata.shots if r.shot_id == "shot-002"]
    assert (record.interpolation_method, record.interpolation_weights) == ("film", str(blend_weights))


def test_film_from_pipeline_yaml_with_missing_weights_stops_before_any_shot(small_workspace):
    (small_workspace.root / "config" / "pipeline.yaml").write_text(
        f"video: {{width: {SMALL_WIDTH}, height: {SMALL_HEIGHT}}}\ninterpolation: {{method: film, film_weights: models/film_net_fp32.pt}}\n"
    )
    with pytest.raises(BackendUnavailableError, match=r"FILM weights not found at .*models/film_net_fp32\.pt"):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE))
    assert not list(small_workspace.root.glob("videos/interp/**/*.mp4"))


def test_interpolate_command_with_film_writes_n_frames(tmp_path, blend_weights, capsys):
    import cv2

    first, last = quantised(real_photo("forest", 96)[:160]), quantised(real_photo("mountains", 96)[:160])
    for name, image in (("a.png", first), ("b.png", last)):
        cv2.imwrite(str(tmp_path / name), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    code = main(["interpolate", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--count", "3", "--out",
                 str(tmp_path / "out"), "--method", "film", "--weights", str(blend_weights)])
    assert code == 0 and "wrote 3 frames" in capsys.readouterr().err
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["frame_001.png", "frame_002.png", "frame_003.png"]
    for k, t in ((1, 0.25), (2, 0.5), (3, 0.75)):
        frame = cv2.cvtColor(cv2.imread(str(tmp_path / "out" / f"frame_{k:03d}.png")), cv2.COLOR_BGR2RGB)
        assert np.array_equal(frame, expected_blend(first, last, t)), k
