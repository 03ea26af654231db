"""The flow interpolator against exact ground truth: a real photograph moved by a known amount."""

import cv2
import numpy as np
import pytest

from studio.backends.base import IDENTITY
from studio.backends.flow import Dissolve, FlowInterpolator, FlowTransition
from tests.conftest import real_photo

SIZE = (320, 240)  # width, height of each test frame
MARGIN = 16  # border pixels left out of the comparison (content entering the frame is unknowable)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    inner = (slice(MARGIN, -MARGIN), slice(MARGIN, -MARGIN))
    mse = np.mean((a[inner].astype(np.float64) - b[inner].astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def view(photo: np.ndarray, dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0) -> np.ndarray:
    """The photo seen through a camera moved by (dx, dy) pixels and zoomed about the view's centre."""
    width, height = SIZE
    centre_x, centre_y = photo.shape[1] / 2 + dx, photo.shape[0] / 2 + dy
    matrix = np.float32([[1 / zoom, 0, centre_x - width / (2 * zoom)], [0, 1 / zoom, centre_y - height / (2 * zoom)]])
    return cv2.warpAffine(photo, matrix, SIZE, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)


@pytest.fixture(scope="module")
def photo():
    return real_photo(width=640)


def middle(first, last, t=0.5):
    return FlowInterpolator().transition(first, last).render(t, IDENTITY, SIZE)


@pytest.mark.parametrize(("dx", "dy"), [(12, 0), (0, -10), (16, 8), (30, 14)])
def test_shift_is_reproduced_exactly(photo, dx, dy):
    first, last = view(photo), view(photo, dx, dy)
    truth = view(photo, dx / 2, dy / 2)
    predicted = middle(first, last)
    assert psnr(predicted, truth) > 40
    assert psnr(predicted, truth) > psnr(cv2.addWeighted(first, 0.5, last, 0.5, 0), truth) + 15


@pytest.mark.parametrize("t", [0.25, 0.75])
def test_any_moment_between_keyframes(photo, t):
    first, last = view(photo), view(photo, 20, 8)
    assert psnr(middle(first, last, t), view(photo, 20 * t, 8 * t)) > 40


def test_zoom_is_reproduced(photo):
    first, last = view(photo), view(photo, zoom=1.10)
    truth = view(photo, zoom=1.05)  # linear motion in time: half-way scale
    predicted = middle(first, last)
    assert psnr(predicted, truth) > 34
    assert psnr(predicted, truth) > psnr(cv2.addWeighted(first, 0.5, last, 0.5, 0), truth) + 8


def test_keyframes_themselves_are_returned_at_the_ends(photo):
    first, last = view(photo), view(photo, 10, 4)
    transition = FlowInterpolator().transition(first, last)
    assert np.array_equal(transition.render(0.0, IDENTITY, SIZE), first)
    assert np.array_equal(transition.render(1.0, IDENTITY, SIZE), last)


def test_unrelated_keyframes_dissolve_instead_of_tearing(photo):
    other = cv2.resize(real_photo("sunset", width=640), (640, 1138))
    first, last = view(photo), view(other)
    transition = FlowInterpolator().transition(first, last)
    assert isinstance(transition, Dissolve) and transition.is_cut
    assert np.array_equal(transition.render(0.5, IDENTITY, SIZE), cv2.addWeighted(first, 0.5, last, 0.5, 0))


def test_matching_keyframes_are_not_taken_for_a_cut(photo):
    transition = FlowInterpolator().transition(view(photo), view(photo, 24, 0, zoom=1.05))
    assert isinstance(transition, FlowTransition) and not transition.is_cut
    assert transition.consistency > 0.8


@pytest.mark.parametrize(("name", "row", "col"), [("mountains", 120, 40), ("dandelion", 250, 100), ("sunset", 200, 60), ("forest", 60, 60)])
def test_a_moving_object_over_a_real_background_stays_whole(photo, name, row, col):
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
    predicted = middle(first, last)
    inside = (slice(80, 150), slice(122, 192))  # the object, 10 px in from its edges
    dissolve = cv2.addWeighted(first, 0.5, last, 0.5, 0)
    assert np.abs(predicted[inside].astype(int) - truth[inside].astype(int)).mean() < 1
    assert np.abs(dissolve[inside].astype(int) - truth[inside].astype(int)).mean() > 5
    assert psnr(predicted, truth) > psnr(dissolve, truth) + 0.5
