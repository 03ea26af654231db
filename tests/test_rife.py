"""RIFE 4.6 through the real weight-loading code, with random weights saved here like the released file."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from studio.backends import interpolator  # noqa: E402
from studio.backends.base import IDENTITY  # noqa: E402
from studio.backends.rife import IFNet, IFNet42, backward_warp  # noqa: E402
from studio.cli import main  # noqa: E402
from studio.errors import BackendUnavailableError  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from studio.services.render.weights import INSTALLED_RIFE  # noqa: E402
from studio.workspace import default_home  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, real_photo  # noqa: E402


def save_released_style(model: IFNet, path):
    """As RIFE's flownet.pkl is published: a state dict from DataParallel training, in half precision."""
    torch.save({f"module.{key}": value.half() for key, value in model.state_dict().items()}, path)
    return path


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory):
    torch.manual_seed(0)
    return save_released_style(IFNet(), tmp_path_factory.mktemp("rife") / "flownet.pkl")


def test_backward_warp_moves_pixels_by_the_flow():
    image = torch.from_numpy(real_photo(width=96)).permute(2, 0, 1)[None].float()
    flow = torch.zeros(1, 2, image.shape[2], image.shape[3])
    flow[:, 0], flow[:, 1] = 5.0, -3.0  # each output pixel samples 5 right and 3 up
    warped = backward_warp(image, flow)
    assert torch.allclose(warped[:, :, 3:, :-5], image[:, :, :-3, 5:], atol=1e-3)


def test_the_network_warps_by_the_flow_its_blocks_predict():
    """Blocks that predict a constant flow of +6 px to the first keyframe and full weight on it shift it by 6 px."""
    model = IFNet()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        bias = model.block0.lastconv[0].bias  # 24 channels, PixelShuffle(2) folds each 4 into one output channel
        bias[0:4] = 6.0 / 8  # flow to the first keyframe, x; block0 works at 1/8 and scales its flow by 8
        bias[16:20] = 20.0  # mask logit: sigmoid(20) = 1, all weight on the first keyframe
    first = real_photo(width=128)[:224]
    last = np.zeros_like(first)
    as_tensor = lambda image: torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255  # noqa: E731
    with torch.inference_mode():
        out = model(as_tensor(first), as_tensor(last), 0.5)
    out = (out[0].permute(1, 2, 0).numpy() * 255).round()
    np.testing.assert_allclose(out[:, :-6], first[:, 6:], atol=1.0)


def test_released_style_weights_load_by_path_into_the_same_tensors(random_weights):
    rife = interpolator("rife", rife_weights=random_weights)
    saved = torch.load(random_weights, weights_only=True)
    loaded = rife.model.state_dict()
    assert set(saved) == {f"module.{key}" for key in loaded}
    assert all(torch.equal(loaded[key], saved[f"module.{key}"].float()) for key in loaded)


def test_frames_are_keyframe_sized_and_the_ends_are_the_keyframes(random_weights):
    first, last = real_photo("forest", 200)[:300], real_photo("mountains", 200)[:300]
    transition = interpolator("rife", rife_weights=random_weights).transition(first, last)
    middle = transition.render(0.5, IDENTITY, (200, 300))  # 200x300 is padded to 224x320 inside
    assert middle.shape == (300, 200, 3) and middle.dtype == np.uint8
    assert np.array_equal(transition.render(0.0, IDENTITY, (200, 300)), first)
    assert np.array_equal(transition.render(1.0, IDENTITY, (200, 300)), last)


def test_bad_weight_files_each_get_a_message(tmp_path):
    with pytest.raises(BackendUnavailableError, match="needs weights"):
        interpolator("rife")
    with pytest.raises(BackendUnavailableError, match="not found"):
        interpolator("rife", rife_weights=tmp_path / "missing.pkl")
    (tmp_path / "text.pkl").write_text("not weights")
    with pytest.raises(BackendUnavailableError, match="not a PyTorch weights file"):
        interpolator("rife", rife_weights=tmp_path / "text.pkl")
    other = {"encode.cnn0.weight": torch.zeros(32, 3, 3, 3), "block0.conv0.0.0.weight": torch.zeros(96, 23, 3, 3)}
    torch.save(other, tmp_path / "other.pkl")
    with pytest.raises(BackendUnavailableError, match="neither a RIFE 4.6 nor a 4.2x IFNet .it has block0 and a feature encoder"):
        interpolator("rife", rife_weights=tmp_path / "other.pkl")
    partial = {key: value for key, value in IFNet42().state_dict().items() if not key.startswith("block2.")}
    torch.save(partial, tmp_path / "partial.pkl")
    with pytest.raises(BackendUnavailableError, match="looks like RIFE 4.25 but 30 of its tensors are missing"):
        interpolator("rife", rife_weights=tmp_path / "partial.pkl")
    state = IFNet().state_dict()
    state["block3.lastconv.0.weight"] = torch.zeros(64, 12, 4, 4)
    torch.save(state, tmp_path / "resized.pkl")
    with pytest.raises(BackendUnavailableError, match="has the RIFE 4.6 names but other sizes"):
        interpolator("rife", rife_weights=tmp_path / "resized.pkl")


def test_a_42x_release_loads_by_its_layout_without_the_training_only_tensors(tmp_path):
    torch.manual_seed(1)
    model = IFNet42()
    released = {f"module.{key}": value.half() for key, value in model.state_dict().items()}
    released["module.teacher.conv0.0.0.weight"] = torch.zeros(32, 31, 3, 3)  # as the 4.25 file carries them
    released["module.caltime.0.weight"] = torch.zeros(32, 17, 3, 3)
    torch.save(released, tmp_path / "flownet.pkl")
    rife = interpolator("rife", rife_weights=tmp_path / "flownet.pkl")
    assert type(rife.model) is IFNet42 and rife.model.version == "4.25"
    loaded = rife.model.state_dict()
    assert set(loaded) == {key.removeprefix("module.") for key in released} - {"teacher.conv0.0.0.weight", "caltime.0.weight"}
    assert all(torch.equal(loaded[key], released[f"module.{key}"].float()) for key in loaded)
    first, last = real_photo("forest", 200)[:300], real_photo("mountains", 200)[:300]
    assert rife.transition(first, last).frame(0.5).shape == (300, 200, 3)  # padded to 256x320 inside


REAL_RIFE_425 = default_home().joinpath(*INSTALLED_RIFE)
needs_real_weights = pytest.mark.skipif(not REAL_RIFE_425.is_file(),
                                        reason="RIFE 4.25 weights not installed: run scripts/get-rife")


def phase_shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    import cv2

    grey = [cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)[32:-32, 32:-32] for image in (a, b)]
    return cv2.phaseCorrelate(grey[0], grey[1])[0]


@needs_real_weights
def test_the_released_425_weights_reproduce_a_real_photo_shift():
    """A real photo and the same scene 8 px further: every in-between is where the camera was, within 0.5 px."""
    rife = interpolator("rife", rife_weights=REAL_RIFE_425)
    assert rife.model.version == "4.25"
    photo = real_photo("forest", 640)
    first, last = photo[100:356, 100:356], photo[100:356, 108:364]
    transition = rife.transition(np.ascontiguousarray(first), np.ascontiguousarray(last))
    for t in (0.25, 0.5, 0.75):
        dx, dy = phase_shift(first, transition.frame(t))
        assert abs(dx - (-8 * t)) < 0.5 and abs(dy) < 0.5, (t, dx, dy)
    truth = np.ascontiguousarray(photo[100:356, 104:360])  # the real in-between view at t = 0.5
    import cv2

    assert cv2.PSNR(truth[16:-16, 16:-16], np.ascontiguousarray(transition.frame(0.5)[16:-16, 16:-16])) > 40


@needs_real_weights
def test_a_shot_renders_with_the_released_425_weights_found_without_configuration(small_workspace, capsys):
    code = main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "2",
                 "--interp-method", "rife"])  # the dragonfly, two keyframes: RIFE makes every in-between
    assert code == 0, capsys.readouterr().err
    [clip] = small_workspace.root.glob("videos/interp/*/*/*/shot_002.mp4")
    assert probe_clip(clip).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    metadata = small_workspace.read_metadata(small_workspace.find_script(SAMPLE_TITLE), "interp")
    assert [r.interpolation_method for r in metadata.shots if r.shot_id == "shot-002"] == ["rife"]


def test_a_shot_renders_to_spec_with_rife_from_the_command_line(small_workspace, random_weights, capsys):
    code = main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "2",
                 "--interp-method", "rife", "--rife-weights", str(random_weights)])
    assert code == 0, capsys.readouterr().err
    [clip] = small_workspace.root.glob("videos/interp/*/*/*/shot_002.mp4")
    assert probe_clip(clip).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    metadata = small_workspace.read_metadata(small_workspace.find_script(SAMPLE_TITLE), "interp")
    [record] = [r for r in metadata.shots if r.shot_id == "shot-002"]
    assert record.interpolation_method == "rife"


def test_rife_from_pipeline_yaml_with_missing_weights_stops_before_any_shot(small_workspace):
    (small_workspace.root / "config" / "pipeline.yaml").write_text(
        f"video: {{width: {SMALL_WIDTH}, height: {SMALL_HEIGHT}}}\ninterpolation: {{method: rife, rife_weights: models/flownet.pkl}}\n"
    )
    with pytest.raises(BackendUnavailableError, match=r"models/flownet.pkl"):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE))
    assert not list(small_workspace.root.glob("videos/interp/**/*.mp4"))


def test_interpolate_command_with_rife(tmp_path, random_weights, capsys):
    import cv2

    for name, photo in (("a.png", "forest"), ("b.png", "mountains")):
        cv2.imwrite(str(tmp_path / name), cv2.cvtColor(real_photo(photo, 160)[:240], cv2.COLOR_RGB2BGR))
    code = main(["interpolate", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--count", "2", "--out",
                 str(tmp_path / "out"), "--method", "rife", "--weights", str(random_weights)])
    assert code == 0 and "by RIFE" in capsys.readouterr().err
    assert cv2.imread(str(tmp_path / "out" / "frame_002.png")).shape == (240, 160, 3)
