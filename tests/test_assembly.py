"""Narration sync and final assembly: timing sources, fitting, transitions, and the finished file read back."""

import json
import shutil
import subprocess

import av
import numpy as np
import pytest

from studio.cli import main
from studio.domain.assembly import TRANSITIONS, Edits, FitSettings, plan_assembly
from studio.domain.narration import ShotNarration, check_spans, map_words_to_shots, parse_timing
from studio.errors import NarrationError
from studio.media.audio import decode_mono, measure_loudness, read_loudness
from studio.media.encoder import ClipEncoder, EncoderSettings
from studio.media.ffmpeg import ffmpeg_executable
from studio.media.probe import probe_clip
from studio.media.retime import plan_retime, retime_clip
from studio.media.stitch import join_with_transitions
from studio.media.sync import find_boundaries, grey_thumbnails, stream_lengths
from studio.services import Studio
from studio.services.assembly.assemble import AssemblyOptions
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, real_photo

MEN_TITLE = "d109fc88-84b8-45d0-bfcc-b15887d103c3"  # narration .m4a + .srt
KIDS_TITLE = "8a65dbbd-b924-4f84-a4b0-8a2cbcb642c5"  # narration .flac + Whisper word .json
FRAME_MS = 1000 / 30
# The sample narration places each shot's line 0.6 s into the shot's scripted time (tools/make_sample_narration.py).
LINE_OFFSET_S = 0.6


def span(shot_id, start, end):
    return ShotNarration(shot_id, start, end, "")


def narration_folder(workspace, title_id):
    script = workspace.find_script(title_id)
    return workspace.narration_dir(script), script


def final_outputs(workspace):
    return sorted(p for p in (workspace.root / "videos" / "final").rglob("*") if p.is_file() and ".parts" not in p.parts)


# -- fitting -----------------------------------------------------------------------


@pytest.mark.parametrize(("pause", "boundary_s"), [("split", 4.25), ("extend_previous", 5.2), ("hold_next", 3.5)])
def test_pause_rules_put_the_boundary_where_they_say(pause, boundary_s):
    spans = [span("shot-001", 1.0, 3.0), span("shot-002", 5.5, 8.0)]
    plan = plan_assembly(spans, FitSettings(lead_in_s=0.3, lead_out_s=0.5, pause=pause))
    assert plan.audio_offset_s == pytest.approx(0.7)  # the first word comes 0.3 s into the video
    first, second = plan.shots
    assert second.target_start_s == pytest.approx(boundary_s - 0.7)
    assert second.start_frame == round((boundary_s - 0.7) * 30) == first.end_frame
    assert plan.total_frames == round((8.0 + 0.5 - 0.7) * 30)


def test_transitions_are_centred_on_their_boundary_and_shortened_to_fit():
    spans = [span("shot-001", 0.3, 3.0), span("shot-002", 3.4, 6.0), span("shot-003", 6.2, 6.9)]
    spans[-1] = span("shot-003", 6.2, 6.5)
    plan = plan_assembly(spans, FitSettings(transition="crossfade", transition_s=1.2, lead_in_s=0.3, lead_out_s=0.5))
    one, two, three = plan.shots
    assert (one.tail_frames, two.head_frames) == (18, 18)
    assert two.clip_start_frame == two.start_frame - 18 and two.clip_frames == two.end_frame - two.start_frame + 18 + two.tail_frames
    # shot-003 lasts 27 frames: its transition may take at most half of that on each side.
    assert (two.tail_frames, three.head_frames) == (13, 13) and any("shot-003" in w for w in plan.warnings)


def test_edits_move_a_boundary_and_change_a_transition():
    spans = [span("shot-001", 0.3, 3.0), span("shot-002", 4.0, 6.0)]
    plan = plan_assembly(spans, FitSettings(), Edits(starts_s={"shot-002": 3.5}, transitions={"shot-002": ("wipeleft", 0.4)}))
    assert plan.shots[1].start_frame == 105 and plan.shots[1].transition_in == "wipeleft" and plan.shots[1].head_frames == 6


def test_a_shot_squeezed_under_the_minimum_is_named():
    with pytest.raises(NarrationError, match="shot-002 would last"):
        plan_assembly([span("shot-001", 0.3, 3.0), span("shot-002", 3.05, 3.1), span("shot-003", 3.15, 5)], FitSettings())


# -- timing sources ---------------------------------------------------------------------


def expected_starts(script):
    starts, elapsed = [], 0.0
    for shot in script.shots:
        starts.append(elapsed + LINE_OFFSET_S)
        elapsed += shot.duration_s
    return starts


def test_srt_vtt_and_whisper_timing_map_each_shot_to_its_spoken_line(workspace):
    folder, script = narration_folder(workspace, MEN_TITLE)
    srt = (folder / f"{MEN_TITLE}.srt").read_text()
    vtt = "WEBVTT\n\n" + srt.replace(",", ".")
    for text, kind in ((srt, "srt"), (vtt, "vtt")):
        spans = map_words_to_shots(script.shots, parse_timing(text, kind, f"timing.{kind}"), kind)
        assert [s.start_s for s in spans] == pytest.approx(expected_starts(script), abs=0.001)
    folder, script = narration_folder(workspace, KIDS_TITLE)
    words = parse_timing((folder / f"{KIDS_TITLE}.json").read_text(), "json", "asr.json")
    spans = map_words_to_shots(script.shots, words, "asr.json")
    assert [s.start_s for s in spans] == pytest.approx(expected_starts(script), abs=0.001)
    assert all(s.end_s > s.start_s + 0.5 for s in spans)


def test_asr_mistakes_punctuation_and_segments_without_words_still_map(workspace):
    folder, script = narration_folder(workspace, KIDS_TITLE)
    data = json.loads((folder / f"{KIDS_TITLE}.json").read_text())
    data["segments"][1]["words"][3]["word"] = " dragonfli"  # a misheard word
    data["segments"][2]["words"] = None  # segment-level timing only
    data["segments"][4]["words"][0]["word"] = " EILEEN,"
    spans = map_words_to_shots(script.shots, parse_timing(json.dumps(data), "json", "asr.json"), "asr.json")
    assert [s.start_s for s in spans] == pytest.approx(expected_starts(script), abs=0.001)


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([span("shot-001", 1, 3), span("shot-002", 2.5, 4)], "shot-002: .* the segments overlap"),
        ([span("shot-001", 3, 4), span("shot-002", 1, 2)], "shot-002: .* before shot-001"),
        ([span("shot-001", 1, 3), span("shot-002", 4, 12.5)], r"shot-002: .* past the end of the audio \(10.00 s\)"),
    ],
)
def test_bad_timing_is_named_by_shot(spans, message):
    with pytest.raises(NarrationError, match=message):
        check_spans(spans, 10.0, "timing.srt")


def test_timing_for_another_script_and_shots_without_text_are_refused(workspace):
    folder, men = narration_folder(workspace, MEN_TITLE)
    kids = workspace.find_script(KIDS_TITLE)
    words = parse_timing((folder / f"{MEN_TITLE}.srt").read_text(), "srt", "men.srt")
    with pytest.raises(NarrationError, match="shot-001: only .* narration words were found in men.srt"):
        map_words_to_shots(kids.shots, words, "men.srt")
    silent = [men.shots[0], men.shots[1].model_copy(update={"narration": None})]
    with pytest.raises(NarrationError, match="shot-002 has no narration text"):
        map_words_to_shots(silent, words, "men.srt")
    with pytest.raises(NarrationError, match="not a readable SRT"):
        parse_timing("this is not\na subtitle file", "srt", "broken.srt")
    with pytest.raises(NarrationError, match="not word-level ASR JSON"):
        parse_timing('{"text": "no segments"}', "json", "broken.json")


# -- bad inputs through the command: a message, and nothing written -----------------------


def corrupt(path):
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(64))


def overlapping_srt(folder):
    """The title's own timing as SRT, with shot-002's line starting half a second before shot-001's ends."""
    from tools.make_sample_narration import srt_time

    script = json.loads(next(folder.parents[3].glob(f"scenes/json/*/*/{SAMPLE_TITLE}.json")).read_text())
    times = [[s["narration_start_s"], s["narration_end_s"]] for s in script["shots"]]
    times[1][0] = times[0][1] - 0.5
    cues = [f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{s['narration']}\n" for i, ((a, b), s) in enumerate(zip(times, script["shots"]), 1)]
    (folder / f"{SAMPLE_TITLE}.srt").write_text("\n".join(cues))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda folder: (folder / f"{SAMPLE_TITLE}.ogg").unlink(), "has no narration audio"),
        (lambda folder: corrupt(folder / f"{SAMPLE_TITLE}.ogg"), "not readable audio"),
        (lambda folder: overlapping_srt(folder), "shot-002: .* overlap"),
    ],
)
def test_bad_narration_gets_a_message_and_no_output(small_workspace, capsys, damage, message):
    folder, _ = narration_folder(small_workspace, SAMPLE_TITLE)
    damage(folder)
    code = main(["assemble", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE])
    assert code == 2
    assert __import__("re").search(message, capsys.readouterr().err)
    assert final_outputs(small_workspace) == []


def test_timing_past_the_end_of_the_audio_is_refused_before_rendering(small_workspace, tmp_path, capsys):
    script_path = next(small_workspace.root.glob(f"scenes/json/*/*/{SAMPLE_TITLE}.json"))
    data = json.loads(script_path.read_text())
    data["shots"][-1]["narration_end_s"] = 75.0
    script_path.write_text(json.dumps(data))
    assert main(["assemble", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE]) == 2
    assert "shot-006: its narration ends at 75.00 s, past the end of the audio" in capsys.readouterr().err
    assert not (small_workspace.root / "videos" / "final").exists() or final_outputs(small_workspace) == []


# -- transitions ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_parts(tmp_path_factory):
    """Three real-photo clips with a slow zoom, 108x192, for stitching tests."""
    from studio.backends.flow import warp_affine
    from studio.domain import CameraMovement
    from studio.domain.motion import camera_window
    from studio.media.images import fit_to_frame

    folder = tmp_path_factory.mktemp("parts")
    settings = EncoderSettings(width=108, height=192, preset="ultrafast")
    plan = plan_assembly([span("shot-001", 0.3, 1.2), span("shot-002", 1.8, 2.8), span("shot-003", 3.3, 4.2)],
                         FitSettings(transition="crossfade", transition_s=0.4))
    paths = []
    for shot, photo in zip(plan.shots, ("forest", "sunset", "mountains"), strict=True):
        canvas = fit_to_frame(real_photo(photo, 216), (108, 192))
        path = folder / f"{shot.shot_id}.mp4"
        with ClipEncoder(path, settings, expected_frames=shot.clip_frames, cut_points=shot.cut_points) as encoder:
            for k in range(shot.clip_frames):
                window = camera_window(CameraMovement.ZOOM_IN, k / shot.clip_frames, 0.5, (108, 192))
                encoder.write(warp_affine(canvas, window.affine((108, 192), (108, 192)), (108, 192)))
        paths.append(path)
    return paths, plan, settings


@pytest.mark.parametrize("transition", [t for t in TRANSITIONS if t != "cut"])
def test_every_transition_renders_with_its_middle_on_the_boundary(three_parts, tmp_path, transition):
    paths, crossfade_plan, settings = three_parts
    spans = [s.narration for s in crossfade_plan.shots]
    plan = plan_assembly(spans, FitSettings(transition=transition, transition_s=0.4))
    assert [s.clip_frames for s in plan.shots] == [s.clip_frames for s in crossfade_plan.shots]
    out = tmp_path / "joined.mp4"
    join_with_transitions(paths, plan, out, settings)
    info = probe_clip(out)
    assert (info.num_frames, info.width, info.height, info.pix_fmt, info.codec) == (plan.total_frames, 108, 192, "yuv420p", "h264")
    checks = find_boundaries(grey_thumbnails(out), [grey_thumbnails(p) for p in paths], plan)
    assert all(c.error_ms <= FRAME_MS + 0.5 for c in checks), [(c.shot_id, round(c.error_ms, 1)) for c in checks]
    # Between its transitions the middle shot is copied, not re-encoded: its coded frames are in the output as they
    # are (the first one may carry the stream's parameter sets in front of it after the split).
    middle = plan.shots[1]
    copied = packet_digests(paths[1])[middle.overlap_in + 1 : middle.clip_frames - middle.overlap_out]
    assert set(copied) <= set(packet_digests(out)) and len(copied) > 10


def packet_digests(path):
    """The coded frames of a clip, in decode order, as digests of their bytes."""
    import hashlib

    with av.open(str(path)) as container:
        return [hashlib.sha1(bytes(packet)).hexdigest() for packet in container.demux(video=0) if packet.size]


# -- retiming clips that are not re-rendered --------------------------------------------------


def test_retiming_stays_in_the_speed_range_then_holds_or_trims():
    assert plan_retime(100, 110, 0.8, 1.25).speed == pytest.approx(100 / 110)
    slow = plan_retime(60, 100, 0.8, 1.25)
    assert (slow.speed, slow.held_frames) == (0.8, 25)
    fast = plan_retime(200, 100, 0.8, 1.25)
    assert (fast.speed, fast.trimmed_frames) == (1.25, 75)


def test_a_retimed_clip_has_exactly_the_frames_asked_for(three_parts, tmp_path):
    paths, plan, settings = three_parts
    source_frames = plan.shots[0].clip_frames
    out = tmp_path / "retimed.mp4"
    retime_clip(paths[0], source_frames, out, source_frames + 7, plan_retime(source_frames, source_frames + 7, 0.8, 1.25), settings)
    assert probe_clip(out).num_frames == source_frames + 7


# -- the finished file, read back ----------------------------------------------------------


def audio_lag_s(final, narration, offset_s):
    """Where the narration really sits in the finished audio: the cross-correlation peak of their envelopes."""
    rate = 8000
    spoken = np.abs(decode_mono(narration, rate))
    heard = np.abs(decode_mono(final, rate))
    hop = 80  # 10 ms envelopes
    envelope = lambda x: x[: x.size // hop * hop].reshape(-1, hop).mean(axis=1)  # noqa: E731
    a, b = envelope(spoken), envelope(heard)
    lags = range(-60, 61)  # +-0.6 s around the planned placement
    base = round(offset_s * 100)
    scores = [np.dot(a[base + lag : base + lag + b.size][: b.size], b[: a.size - base - lag]) if base + lag >= 0 else 0 for lag in lags]
    return (base + lags[int(np.argmax(scores))]) / 100


def test_every_sample_title_assembles_in_sync_and_reads_back_to_spec(small_workspace, capsys):
    assert main(["assemble", "--workspace", str(small_workspace.root), "--all"]) == 0, capsys.readouterr().err
    for script in small_workspace.scripts():
        final = small_workspace.final_path(script)
        report = json.loads(final.with_suffix(".json").read_text())
        info = probe_clip(final)
        assert (info.width, info.height, float(info.fps), info.codec, info.pix_fmt) == (SMALL_WIDTH, SMALL_HEIGHT, 30.0, "h264", "yuv420p")
        assert info.num_frames == report["num_frames"] and info.faststart
        with av.open(str(final)) as container:
            audio = container.streams.audio[0]
            assert (audio.codec_context.name, audio.rate) == ("aac", 48000)
        lengths = stream_lengths(final)
        assert lengths.drift_ms <= FRAME_MS
        assert report["in_sync"] and report["max_boundary_error_ms"] <= FRAME_MS + 0.5
        assert measure_loudness(final).integrated_lufs == pytest.approx(-14, abs=1.0)
        narration = next(small_workspace.narration_dir(script).glob(f"{script.title_id}.[fmo]*[!n]"))
        assert audio_lag_s(final, narration, report["audio_offset_s"]) == pytest.approx(report["audio_offset_s"], abs=0.02)
        for shot in report["shots"]:
            assert shot["start_s"] <= shot["narration_start_s"] < shot["narration_end_s"] <= shot["end_s"] + 1e-6


def test_transitions_music_and_an_ltx_clip_in_one_title(small_workspace, tmp_path):
    studio = Studio.open(small_workspace)
    script = small_workspace.find_script(MEN_TITLE)
    # A stand-in LTX clip: a real delivery-size clip in the LTX folder; retiming only reads the file.
    studio.generate(__import__("studio.services", fromlist=["Selection"]).Selection(title_id=MEN_TITLE, shot_number=2))
    ltx_clip = small_workspace.clip_path(script, script.shot(2), "ltx")
    ltx_clip.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(small_workspace.clip_path(script, script.shot(2), "interp"), ltx_clip)
    music = small_workspace.root / "audio" / "music.ogg"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=4",
                    "-c:a", "libvorbis", str(music)], check=True)
    studio.assemble(MEN_TITLE, AssemblyOptions(method="interp"))  # a first cut, with plain cuts
    config = small_workspace.root / "config" / "pipeline.yaml"
    config.write_text(config.read_text() + "switches: {use_ltx: true}\n"
                      "assembly: {transition: fadeblack, transition_s: 0.4, music: audio/music.ogg, music_gain_db: -24}\n")
    report = Studio.open(small_workspace).assemble(MEN_TITLE, AssemblyOptions(method="auto"))
    assert report.in_sync and report.joined_by == "stream copy, transitions re-encoded"
    assert [s.source for s in report.shots] == ["interp", "ltx", "interp", "interp", "interp", "interp"]
    assert report.shots[1].speed is not None and all(s.transition_in == "fadeblack" for s in report.shots[1:])
    parts = list((small_workspace.final_path(script).parent / ".parts").rglob("*.mp4"))
    assert len(parts) == len(report.shots)  # the first cut's clips are gone
    heard = decode_mono(small_workspace.final_path(script))
    pause = heard[round((report.shots[0].narration_end_s + 0.5) * 8000):][:2000]  # between two lines: music only
    assert np.sqrt(np.mean(pause**2)) > 0.005


def test_ltx_assembly_without_ltx_clips_names_the_shot_and_renders_nothing(small_workspace, capsys):
    assert main(["assemble", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--method", "ltx"]) == 2
    assert "shot-001 has no LTX clip; render it first" in capsys.readouterr().err
    assert not list((small_workspace.root / "videos").rglob("*.mp4"))


def test_the_quick_loudness_reading_agrees_with_a_loudnorm_pass(tmp_path):
    """The finished file's loudness is read with ebur128 (quicker); it is the same EBU R128 figure loudnorm
    measures, to the 0.1 LU ebur128 prints, and silence reads as silence rather than failing."""
    from studio.workspace import SAMPLE_WORKSPACE

    narration = next((SAMPLE_WORKSPACE / "audio" / "narration").rglob("*.m4a"))
    quick, full = read_loudness(narration), measure_loudness(narration)
    assert quick.integrated_lufs == pytest.approx(full.integrated_lufs, abs=0.15)
    assert quick.true_peak_dbtp == pytest.approx(full.true_peak_dbtp, abs=0.15)
    silence = tmp_path / "silence.wav"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "3",
                    str(silence)], check=True)
    quiet = read_loudness(silence)
    assert quiet.integrated_lufs <= -70 and quiet.true_peak_dbtp == float("-inf")
