"""Which stretch of the narration each shot covers, from any of the timing sources.

Timing comes as per-shot times in the script, as subtitles (SRT/VTT) or as
word-level ASR output (Whisper's `segments`/`words` JSON). Subtitles and ASR
are reduced to timed words, then each shot's narration text is found in that
word stream by sequence alignment, so punctuation, casing and small ASR
mistakes do not matter and a shot's span runs from its first matched word's
start to its last matched word's end.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from studio.domain.script import Shot
from studio.errors import NarrationError

# Narration may end this far past the audio's decoded end (container rounding) before it is an error.
_END_TOLERANCE_S = 0.05
# Below this share of a shot's words found in the timing, the timing is probably for another script.
_MIN_MATCHED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class TimedWord:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class ShotNarration:
    """The narration a shot covers: its text and where it is spoken in the audio."""

    shot_id: str
    start_s: float
    end_s: float
    text: str


class _WhisperWord(BaseModel):
    word: str
    start: float
    end: float


class _WhisperSegment(BaseModel):
    start: float
    end: float
    text: str = ""
    words: list[_WhisperWord] | None = None


class _WhisperTranscript(BaseModel):
    segments: list[_WhisperSegment]


def words_of(text: str) -> list[str]:
    """Words compared for alignment: lower case, letters and digits only."""
    return [w for w in (re.sub(r"[^\w]", "", token.lower()) for token in text.split()) if w]


def _spread(text: str, start_s: float, end_s: float) -> list[TimedWord]:
    """A cue's words with its time shared out by word length (only the first start and last end are exact)."""
    tokens = text.split()
    if not tokens:
        return []
    weights = [len(token) + 1 for token in tokens]
    total, elapsed, words = sum(weights), 0, []
    for token, weight in zip(tokens, weights, strict=True):
        word_start = start_s + (end_s - start_s) * elapsed / total
        elapsed += weight
        words.append(TimedWord(token, word_start, start_s + (end_s - start_s) * elapsed / total))
    return words


def words_from_whisper_json(text: str, source: str) -> list[TimedWord]:
    """Timed words from Whisper-style JSON; segments without word timing spread their time over their text."""
    try:
        transcript = _WhisperTranscript.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as error:
        first = str(error).splitlines()[0]
        raise NarrationError(
            f"{source} is not word-level ASR JSON ({first}); expected {{\"segments\": [{{\"start\", \"end\", \"text\", "
            "\"words\": [{\"word\", \"start\", \"end\"}]}]} as Whisper writes it"
        ) from None
    words: list[TimedWord] = []
    for segment in transcript.segments:
        if segment.words:
            words += [TimedWord(w.word.strip(), w.start, w.end) for w in segment.words if w.word.strip()]
        else:
            words += _spread(segment.text, segment.start, segment.end)
    return words


def words_from_subtitles(text: str, subtitle_format: str, source: str) -> list[TimedWord]:
    """Timed words from SRT or WebVTT cues."""
    import webvtt  # small, but only the assembly needs it

    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=subtitle_format)
    except Exception as error:  # webvtt raises its own MalformedFileError and plain ValueErrors
        raise NarrationError(f"{source} is not a readable {subtitle_format.upper()} file ({error})") from None
    words: list[TimedWord] = []
    for caption in captions:
        start, end = _timestamp_s(caption.start_time), _timestamp_s(caption.end_time)
        if end <= start:
            raise NarrationError(f"{source}: the cue at {caption.start} ends before it starts ({caption.end})")
        words += _spread(caption.text.replace("\n", " "), start, end)
    return words


def _timestamp_s(stamp: object) -> float:
    hours, minutes, seconds, milliseconds = stamp.to_tuple()  # type: ignore[attr-defined]
    return hours * 3600 + minutes * 60 + seconds + milliseconds / 1000


def parse_timing(text: str, timing_format: str, source: str) -> list[TimedWord]:
    if timing_format == "json":
        return words_from_whisper_json(text, source)
    if timing_format in ("srt", "vtt"):
        return words_from_subtitles(text, timing_format, source)
    raise NarrationError(f"{source}: timing files are .srt, .vtt or .json (Whisper), not .{timing_format}")


def spans_from_script(shots: list[Shot]) -> list[ShotNarration]:
    """Per-shot times written in the script JSON (narration_start_s / narration_end_s)."""
    missing = [shot.shot_id for shot in shots if shot.narration_start_s is None or shot.narration_end_s is None]
    if missing:
        raise NarrationError(
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no narration_start_s/narration_end_s in the "
            "script and no timing file was found; add the times or a .srt/.vtt/.json timing file beside the audio"
        )
    return [
        ShotNarration(shot.shot_id, float(shot.narration_start_s), float(shot.narration_end_s), shot.narration or "")  # type: ignore[arg-type]
        for shot in shots
    ]


def map_words_to_shots(shots: list[Shot], words: list[TimedWord], source: str) -> list[ShotNarration]:
    """Each shot's narration text found in the timed words, by sequence alignment."""
    silent = [shot.shot_id for shot in shots if not words_of(shot.narration or "")]
    if silent:
        raise NarrationError(
            f"{', '.join(silent)} {'has' if len(silent) == 1 else 'have'} no narration text in the script, so "
            f"{source} cannot be matched to {'it' if len(silent) == 1 else 'them'}; add the shot's narration text"
        )
    script_words: list[tuple[int, str]] = [(i, w) for i, shot in enumerate(shots) for w in words_of(shot.narration or "")]
    timed: list[tuple[int, str]] = [(j, w) for j, word in enumerate(words) for w in words_of(word.text)[:1]]
    matcher = difflib.SequenceMatcher(None, [w for _, w in script_words], [w for _, w in timed], autojunk=False)
    matched: dict[int, list[int]] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched.setdefault(script_words[block.a + k][0], []).append(timed[block.b + k][0])
    spans = []
    for index, shot in enumerate(shots):
        found = matched.get(index, [])
        share = len(found) / len(words_of(shot.narration or ""))
        if share < _MIN_MATCHED_SHARE:
            raise NarrationError(
                f"{shot.shot_id}: only {len(found)} of its {len(words_of(shot.narration or ''))} narration words were "
                f"found in {source}; is it the timing for this script, and does the shot's narration text match the audio?"
            )
        spans.append(ShotNarration(shot.shot_id, words[min(found)].start_s, words[max(found)].end_s, shot.narration or ""))
    return spans


def check_spans(spans: list[ShotNarration], audio_duration_s: float, source: str) -> None:
    """Spans must be in shot order, must not overlap, and must lie inside the audio."""
    for previous, span in zip(spans, spans[1:]):
        if span.start_s < previous.start_s:
            raise NarrationError(
                f"{span.shot_id}: its narration starts at {span.start_s:.2f} s, before {previous.shot_id}'s "
                f"({previous.start_s:.2f} s) in {source}; shots must be narrated in script order"
            )
        if span.start_s < previous.end_s:
            raise NarrationError(
                f"{span.shot_id}: its narration starts at {span.start_s:.2f} s while {previous.shot_id}'s runs to "
                f"{previous.end_s:.2f} s in {source}; the segments overlap"
            )
    for span in spans:
        if span.end_s > audio_duration_s + _END_TOLERANCE_S:
            raise NarrationError(
                f"{span.shot_id}: its narration ends at {span.end_s:.2f} s, past the end of the audio "
                f"({audio_duration_s:.2f} s) in {source}; is it the right audio file?"
            )
