import pytest

from studio.domain import CameraMovement
from studio.domain.motion import CameraWindow, camera_window, inert_interpolation_controls
from studio.domain.timing import TimelinePosition, ease_in_out, frame_count, locate


def test_frame_count_rounds_half_up():
    assert [frame_count(d, 30) for d in (5, 6.5, 12, 0.01, 1 / 60, 7.0166)] == [150, 195, 360, 1, 1, 210]


def test_ease_in_out_keeps_ends_and_middle():
    assert [ease_in_out(p) for p in (-1, 0, 0.5, 1, 2)] == pytest.approx([0, 0, 0.5, 1, 1])
    assert ease_in_out(0.1) < 0.1 < 0.9 < ease_in_out(0.9)


def test_locate_on_a_three_keyframe_timeline():
    times = (0.0, 2.0, 6.0)
    assert locate(0.0, times, ease=False) == TimelinePosition(0, 0.0)
    assert locate(1.0, times, ease=False) == TimelinePosition(0, 0.5)
    assert locate(3.0, times, ease=False) == TimelinePosition(1, 0.25)
    assert locate(6.0, times, ease=False) == TimelinePosition(1, 1.0)
    assert locate(9.0, times, ease=False) == TimelinePosition(1, 1.0)
    assert locate(1.0, times, ease=True) == TimelinePosition(0, pytest.approx(0.5))
    assert locate(2.5, (1.0, 3.0), ease=False) == TimelinePosition(0, 0.75)
    assert locate(0.5, (1.0, 3.0), ease=False) == TimelinePosition(0, 0.0)  # before the first: hold it
    assert locate(4.0, (0.0,), ease=True) == TimelinePosition(0, 0.0)


CANVAS = (1000, 2000)


@pytest.mark.parametrize(
    ("movement", "start", "end"),
    [
        (CameraMovement.STATIC, CameraWindow(500, 1000, 1.0), CameraWindow(500, 1000, 1.0)),
        (CameraMovement.ZOOM_IN, CameraWindow(500, 1000, 1.0), CameraWindow(500, 1000, 1.25, dolly=1.25)),
        (CameraMovement.ZOOM_OUT, CameraWindow(500, 1000, 1.25, dolly=1.25), CameraWindow(500, 1000, 1.0)),
        (CameraMovement.PAN_RIGHT, CameraWindow(400, 1000, 1.25), CameraWindow(600, 1000, 1.25)),
        (CameraMovement.PAN_LEFT, CameraWindow(600, 1000, 1.25), CameraWindow(400, 1000, 1.25)),
        (CameraMovement.TILT_DOWN, CameraWindow(500, 800, 1.25), CameraWindow(500, 1200, 1.25)),
        (CameraMovement.TILT_UP, CameraWindow(500, 1200, 1.25), CameraWindow(500, 800, 1.25)),
    ],
)
def test_camera_moves_at_full_strength(movement, start, end):
    assert camera_window(movement, 0.0, 1.0, CANVAS) == pytest.approx(start)
    assert camera_window(movement, 1.0, 1.0, CANVAS) == pytest.approx(end)


def test_window_stays_inside_the_canvas_at_every_step():
    for movement in CameraMovement:
        for step in range(11):
            window = camera_window(movement, step / 10, 1.0, CANVAS)
            half_w, half_h = CANVAS[0] / window.zoom / 2, CANVAS[1] / window.zoom / 2
            assert half_w <= window.center_x <= CANVAS[0] - half_w + 1e-9
            assert half_h <= window.center_y <= CANVAS[1] - half_h + 1e-9


def test_zero_strength_is_still():
    assert camera_window(CameraMovement.ZOOM_IN, 1.0, 0.0, CANVAS) == CameraWindow(500, 1000, 1.0)


def test_affine_maps_output_pixel_centres_onto_the_window():
    # Whole canvas at the same size: identity.
    assert CameraWindow(500, 1000, 1.0).affine(CANVAS, CANVAS) == ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
    # Zoom 2 on a 4x8 canvas shown at 4x8: output pixel centre 0.5 lands a quarter in.
    (a, _, c), (_, e, f) = CameraWindow(2, 4, 2.0).affine((4, 8), (4, 8))
    assert (a, e) == (0.5, 0.5)
    assert (a * 0 + c, e * 0 + f) == (0.75, 1.75)


def test_only_a_static_camera_makes_interpolation_controls_inert():
    assert inert_interpolation_controls(CameraMovement.STATIC, 1) == ("motion", "depth", "smooth motion")
    assert inert_interpolation_controls(CameraMovement.STATIC, 2) == ("motion", "depth")  # smoothing eases the cut
    assert all(inert_interpolation_controls(movement, 1) == () for movement in CameraMovement
               if movement is not CameraMovement.STATIC)
