"""The flow interpolator against exact ground truth: a real photograph moved by a known amount.

Frames are compared as RGB (planar output converted back, its truth through
the same 4:2:0 round trip), so one threshold holds for both paths."""

import cv2
import numpy as np
import pytest

from studio.backends.base import IDENTITY
from studio.backends.flow import Dissolve, FlowInterpolator, FlowTransition
from studio.media.yuv import YuvFrame
from tests.conftest import real_photo

SIZE = (320, 240)  # width, height of each test frame
MARGIN = 16  # border pixels left out of the comparison (content entering the frame is unknowable)


def psnr(a: np.ndarray | YuvFrame, b: np.ndarray) -> float:
    if isinstance(a, YuvFrame):  # the truth as the planar path would show it
        a, b = a.to_rgb(), YuvFrame.from_rgb(b).to_rgb()
    inner = (slice(MARGIN, -MARGIN), slice(MARGIN, -MARGIN))
    mse = np.mean((a[inner].astype(np.float64) - b[inner].astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def same_planes(a: YuvFrame, b: YuvFrame) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(a.planes(), b.planes(), strict=True))


def view(photo: np.ndarray, dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0) -> np.ndarray:
    """The photo seen through a camera moved by (dx, dy) pixels and zoomed about the view's centre."""
    width, height = SIZE
    centre_x, centre_y = photo.shape[1] / 2 + dx, photo.shape[0] / 2 + dy
    matrix = np.float32([[1 / zoom, 0, centre_x - width / (2 * zoom)], [0, 1 / zoom, centre_y - height / (2 * zoom)]])
    return cv2.warpAffine(photo, matrix, SIZE, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)


@pytest.fixture(scope="module")
def photo():
    return real_photo(width=640)


@pytest.fixture(params=[True, False], ids=["planar", "rgb"])
def planar(request):
    return request.param


def middle(first, last, t=0.5, planar=True):
    return FlowInterpolator(planar=planar).transition(first, last).render(t, IDENTITY, SIZE)


@pytest.mark.parametrize(("dx", "dy"), [(12, 0), (0, -10), (16, 8), (30, 14)])
def test_shift_is_reproduced_exactly(photo, dx, dy, planar):
    first, last = view(photo), view(photo, dx, dy)
    truth = view(photo, dx / 2, dy / 2)
    predicted = middle(first, last, planar=planar)
    assert psnr(predicted, truth) > 40
    assert psnr(predicted, truth) > psnr(cv2.addWeighted(first, 0.5, last, 0.5, 0), truth) + 15


@pytest.mark.parametrize("t", [0.25, 0.75])
def test_any_moment_between_keyframes(photo, t, planar):
    first, last = view(photo), view(photo, 20, 8)
    assert psnr(middle(first, last, t, planar), view(photo, 20 * t, 8 * t)) > 40


def test_zoom_is_reproduced(photo, planar):
    first, last = view(photo), view(photo, zoom=1.10)
    truth = view(photo, zoom=1.05)  # linear motion in time: half-way scale
    predicted = middle(first, last, planar=planar)
    assert psnr(predicted, truth) > 34
    assert psnr(predicted, truth) > psnr(cv2.addWeighted(first, 0.5, last, 0.5, 0), truth) + 8


def test_keyframes_themselves_are_returned_at_the_ends(photo):
    first, last = view(photo), view(photo, 10, 4)
    transition = FlowInterpolator(planar=False).transition(first, last)
    assert np.array_equal(transition.render(0.0, IDENTITY, SIZE), first)
    assert np.array_equal(transition.render(1.0, IDENTITY, SIZE), last)
    planar = FlowInterpolator().transition(first, last)
    assert same_planes(planar.render(0.0, IDENTITY, SIZE), YuvFrame.from_rgb(first))
    assert same_planes(planar.render(1.0, IDENTITY, SIZE), YuvFrame.from_rgb(last))


def test_unrelated_keyframes_dissolve_instead_of_tearing(photo):
    other = cv2.resize(real_photo("sunset", width=640), (640, 1138))
    first, last = view(photo), view(other)
    transition = FlowInterpolator(planar=False).transition(first, last)
    assert isinstance(transition, Dissolve) and transition.is_cut
    assert np.array_equal(transition.render(0.5, IDENTITY, SIZE), cv2.addWeighted(first, 0.5, last, 0.5, 0))
    planar = FlowInterpolator().transition(first, last).render(0.5, IDENTITY, SIZE)
    halves = [cv2.addWeighted(a, 0.5, b, 0.5, 0) for a, b in zip(YuvFrame.from_rgb(first).planes(), YuvFrame.from_rgb(last).planes())]
    assert same_planes(planar, YuvFrame(*halves))


def test_matching_keyframes_are_not_taken_for_a_cut(photo):
    transition = FlowInterpolator().transition(view(photo), view(photo, 24, 0, zoom=1.05))
    assert isinstance(transition, FlowTransition) and not transition.is_cut
    assert transition.consistency > 0.8


@pytest.mark.parametrize(("name", "row", "col"), [("mountains", 120, 40), ("dandelion", 250, 100), ("sunset", 200, 60), ("forest", 60, 60)])
def test_a_moving_object_over_a_real_background_stays_whole(photo, name, row, col, planar):
    """A textured object (90 px, a patch of another photograph) slides 24 px over a
    real background: half-way it must sit at its true place, whole and sharp, and
    the frame must beat a dissolve (which shows two half-faded copies).

    (Objects that move more than about half their size between keyframes can be
    lost by the flow; the README says so.)"""
    background = view(photo)
    patch = real_photo(name, width=300)[row : row + 90, col : col + 90]

    def scene(x: int) -> np.ndarray:
        frame = background.copy()
        frame[70:160, x : x + 90] = patch
        return frame

    first, last, truth = scene(100), scene(124), scene(112)
    predicted = middle(first, last, planar=planar)
    if planar:  # compared as a viewer of the clip sees both
        predicted, truth = predicted.to_rgb(), YuvFrame.from_rgb(truth).to_rgb()
    inside = (slice(80, 150), slice(122, 192))  # the object, 10 px in from its edges
    dissolve = cv2.addWeighted(first, 0.5, last, 0.5, 0)
    assert np.abs(predicted[inside].astype(int) - truth[inside].astype(int)).mean() < 1
    assert np.abs(dissolve[inside].astype(int) - truth[inside].astype(int)).mean() > 5
    assert psnr(predicted, truth) > psnr(dissolve, truth) + 0.5
