"""Review copies: the light clips the arena plays, made once beside each take; the full clip one click away."""

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from studio.errors import EncodeError
from studio.media import preview
from studio.media.encoder import ClipEncoder, EncoderSettings
from studio.media.probe import probe_clip
from studio.services import ReviewDesk, Studio, TakeSettings
from studio.store import Take, VoteStore
from tests.conftest import SAMPLE_TITLE, real_photo

DELIVERY = EncoderSettings(preset="ultrafast")  # 1080x1920 at 10 Mbps, as delivered


def delivery_clip(path: Path, frames: int = 30, photo: str = "forest") -> Path:
    """A real delivery-spec clip: a photograph panning, 1080x1920 at 10 Mbps."""
    still = real_photo(photo, width=216)[:384]
    with ClipEncoder(path, DELIVERY, expected_frames=frames, input_size=(216, 384)) as encoder:
        for index in range(frames):
            encoder.write(np.ascontiguousarray(np.roll(still, 2 * index, axis=1)))
    return path


@pytest.fixture
def encodes(monkeypatch):
    """The review copies encoded so far, by clip name (every ffmpeg run of media/preview.py)."""
    made: list[str] = []
    original = preview.run_ffmpeg

    def counting(args, *, what):
        made.append(Path(args[args.index("-i") + 1]).name)
        original(args, what=what)

    monkeypatch.setattr(preview, "run_ffmpeg", counting)
    return made


def shape(path: Path) -> tuple:
    info = probe_clip(path)
    return (info.width, info.height, info.fps, info.codec, info.pix_fmt, info.num_frames, info.has_audio,
            info.faststart)


def test_a_delivery_clip_gets_a_half_size_review_copy_beside_it(tmp_path):
    clip = delivery_clip(tmp_path / "20260101T000000-abc123.mp4")
    copy = preview.review_copy(clip)
    assert copy == tmp_path / "20260101T000000-abc123.review.mp4"
    assert shape(copy) == (540, 960, 30, "h264", "yuv420p", 30, False, True)
    assert 1600 <= probe_clip(copy).bitrate_kbps <= 2400  # 2 Mbps constant bitrate, within the muxer's overhead
    assert probe_clip(clip).spec_problems(expected_frames=30) == []  # the take itself is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20260101T000000-abc123.mp4",
                                                          "20260101T000000-abc123.review.mp4"]


def test_a_clip_newer_than_its_copy_gets_a_new_one(tmp_path, encodes):
    clip = delivery_clip(tmp_path / "take.mp4")
    copy = preview.review_copy(clip)
    stamp = copy.stat().st_mtime_ns
    os.utime(clip, ns=(stamp + 10**9, stamp + 10**9))  # the clip replaced after its copy was made
    preview.review_copy(clip)
    assert encodes == ["take.mp4", "take.mp4"]


def test_a_clip_that_does_not_decode_gets_no_copy(tmp_path):
    clip = tmp_path / "take.mp4"
    clip.write_bytes(b"not a video")
    with pytest.raises(EncodeError, match="cannot read clip"):
        preview.review_copy(clip)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.mp4"]


@pytest.fixture
def desk(small_workspace, tmp_path):
    return ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))


def test_a_rendered_take_has_its_review_copy(desk, encodes):
    take = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=0.5, preset="ultrafast"), who="op")
    clip = desk.workspace.root / take.video_path
    copy = clip.with_name(f"{take.id}.review.mp4")
    # The small workspace renders 144x256: a take smaller than 540x960 keeps its size (copies never enlarge).
    assert shape(copy) == (144, 256, 30, "h264", "yuv420p", take.record["num_frames"], False, True)
    assert take.record["num_frames"] == 210
    assert desk.review_copies.of(take) == copy
    assert encodes == [f"{take.id}.mp4"]  # made with the take, not again when the arena asks for it


def older_take(workspace, take_id: str, method: str, photo: str) -> Take:
    """A take rendered before review copies existed: its delivery clip alone."""
    path = f"videos/takes/{method}/women/14-17/{SAMPLE_TITLE}/shot_004/{take_id}.mp4"
    delivery_clip(workspace.root / path, frames=15, photo=photo)
    return Take(id=take_id, title_id=SAMPLE_TITLE, shot_id="shot-004", method=method, variant=method, params={},
                input_hash=take_id, video_path=path, record={}, created_by="op",
                created_at=f"2026-01-01T00:00:0{take_id[-1]}")


def test_a_review_copy_is_made_once_even_when_many_reviewers_are_dealt_it_at_once(desk, encodes):
    take = older_take(desk.workspace, "take-1", "ltx", "forest")
    copies = []
    threads = [threading.Thread(target=lambda: copies.append(desk.review_copies.of(take))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    copy = preview.review_copy_path(desk.workspace.root / take.video_path)
    made_at = copy.stat().st_mtime_ns
    assert desk.review_copies.of(take) == copy
    assert (copies, encodes) == ([copy] * 6, ["take-1.mp4"])
    assert copy.stat().st_mtime_ns == made_at


def test_older_takes_get_their_copies_once_in_the_background(desk, encodes):
    takes = [older_take(desk.workspace, "take-1", "ltx", "forest"),
             older_take(desk.workspace, "take-2", "interp", "sunset")]
    for take in takes:
        desk.store.add_take(take)
    dealt = desk.deal("Ana")  # dealing makes the copies of every pair Ana may be dealt, meanwhile
    left, right = dealt.left, dealt.right
    desk.review_copies.wait()
    assert sorted(encodes) == ["take-1.mp4", "take-2.mp4"]
    copies = [desk.review_copies.of(take) for take in (left, right)]
    assert [shape(copy) for copy in copies] == [(540, 960, 30, "h264", "yuv420p", 15, False, True)] * 2
    assert sorted(encodes) == ["take-1.mp4", "take-2.mp4"]  # asking again made nothing new


def test_next_pair_serves_the_review_copies_and_the_full_clips(small_workspace, tmp_path):
    gradio_client = pytest.importorskip("gradio_client")
    from tests.serving import launched

    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    takes = [older_take(desk.workspace, "take-1", "ltx", "forest"),
             older_take(desk.workspace, "take-2", "interp", "sunset")]
    for take in takes:
        desk.store.add_take(take)
    clips = {take.id: desk.workspace.root / take.video_path for take in takes}
    with launched(desk) as url:
        client = gradio_client.Client(url, verbose=False, download_files=str(tmp_path / "downloads"))
        token, _info, left, right, *_, left_full, right_full = client.predict("Ana", api_name="/next_pair")
        pair = desk.store.pair(token)
        served = {side: Path(value["video"] if isinstance(value, dict) else value).read_bytes()
                  for side, value in (("left", left), ("right", right))}
        assert served == {"left": preview.review_copy_path(clips[pair.left_take]).read_bytes(),
                          "right": preview.review_copy_path(clips[pair.right_take]).read_bytes()}
        assert (Path(left_full).read_bytes(), Path(right_full).read_bytes()) == (
            clips[pair.left_take].read_bytes(), clips[pair.right_take].read_bytes())
        # The addresses the page is given keep the review blind: no method in any of them.
        raw = gradio_client.Client(url, verbose=False, download_files=False)
        outputs = raw.predict("Ben", api_name="/next_pair")
        urls = [outputs[i]["video"]["url"] if "video" in outputs[i] else outputs[i]["url"] for i in (2, 3)]
        urls += [outputs[-2]["url"], outputs[-1]["url"]]
        assert [("ltx" in u or "interp" in u, u.endswith(".mp4")) for u in urls] == [(False, True)] * 4
