import uuid

import pytest
from pydantic import ValidationError

from studio.domain import CameraMovement, Keyframe, Script, Shot

TITLE = "6ac1ea37-9a27-4905-90ef-aa06ec5d95f3"


def shot(**fields):
    base = {"shot_id": "shot-001", "description": "a field", "duration_s": 6, "keyframes": ["shot_001_A.png"]}
    return Shot.model_validate(base | fields)


def test_a_minimal_script_parses_with_defaults():
    script = Script.model_validate(
        {"title_id": TITLE, "title": "T", "segment": "men", "age_bucket": "10-13",
         "shots": [{"shot_id": "shot-002", "description": "d", "duration_s": 5.5,
                    "keyframes": ["shot_002_A.png", {"file": "shot_002_A_end.png", "time_s": 5.0}]}]}
    )
    assert script.title_id == uuid.UUID(TITLE)
    assert script.shots == [
        Shot(shot_id="shot-002", description="d", duration_s=5.5, camera_movement=CameraMovement.STATIC,
             keyframes=[Keyframe(file="shot_002_A.png"), Keyframe(file="shot_002_A_end.png", time_s=5.0)])
    ]
    assert script.shots[0].number == 2
    assert script.duration_s == 5.5


def test_keyframe_times_spread_evenly_between_known_ones():
    files = [f"shot_001_{c}.png" for c in "ABCDE"]
    assert shot(keyframes=files, duration_s=8).keyframe_times_s == (0.0, 2.0, 4.0, 6.0, 8.0)
    mixed = [{"file": "a.png"}, {"file": "b.png", "time_s": 1.0}, {"file": "c.png"}, {"file": "d.png"}]
    assert shot(keyframes=mixed, duration_s=7).keyframe_times_s == (0.0, 1.0, 4.0, 7.0)
    assert shot(keyframes=["a.png"]).keyframe_times_s == (0.0,)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration_s": -2}, "greater than 0"),
        ({"shot_id": "shot-1"}, "is not a shot id"),
        ({"keyframes": ["../../etc/passwd.png"]}, "is not a plain image file name"),
        ({"keyframes": ["/abs/shot.png"]}, "is not a plain image file name"),
        ({"keyframes": []}, "at least 1 item"),
        ({"keyframes": [{"file": "a.png", "time_s": 3}, {"file": "b.png", "time_s": 2}]}, "must increase"),
        ({"keyframes": [{"file": "a.png", "time_s": 9}]}, "past the shot's end"),
        ({"camera_movement": "spin"}, "'static', 'zoom_in'"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_shots_are_refused_with_a_reason(fields, message):
    with pytest.raises(ValidationError) as caught:
        shot(**fields)
    assert message in str(caught.value)


def test_duplicate_shot_ids_are_refused():
    one = {"shot_id": "shot-001", "description": "d", "duration_s": 5, "keyframes": ["a.png"]}
    with pytest.raises(ValidationError, match="shot id 'shot-001' appears twice"):
        Script.model_validate({"title_id": TITLE, "title": "T", "segment": "women", "age_bucket": "18-23", "shots": [one, one]})


def test_segments_and_age_buckets_are_the_pipelines():
    base = {"title_id": TITLE, "title": "T", "shots": [{"shot_id": "shot-001", "description": "d", "duration_s": 5, "keyframes": ["a.png"]}]}
    with pytest.raises(ValidationError, match="'women' or 'men'"):
        Script.model_validate(base | {"segment": "kids", "age_bucket": "10-13"})
    with pytest.raises(ValidationError, match="'10-13', '14-17' or '18-23'"):
        Script.model_validate(base | {"segment": "men", "age_bucket": "24-30"})


def test_schema_command_prints_the_json_schema(capsys):
    import json

    from studio.cli import main

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["required"] == ["title_id", "title", "segment", "age_bucket", "shots"]
    assert schema["$defs"]["CameraMovement"]["enum"] == [
        "static", "zoom_in", "zoom_out", "pan_left", "pan_right", "tilt_up", "tilt_down"]
    assert schema["$defs"]["Shot"]["required"] == ["shot_id", "description", "duration_s", "keyframes"]


def test_asking_for_a_missing_shot_names_the_ones_there():
    from studio.errors import ScriptError

    script = Script.model_validate({"title_id": TITLE, "title": "T", "segment": "men", "age_bucket": "10-13",
                                    "shots": [shot().model_dump(), shot(shot_id="shot-002").model_dump()]})
    assert script.shot(2).shot_id == "shot-002"
    with pytest.raises(ScriptError, match="'T' has no shot-007; its shots are shot-001, shot-002"):
        script.shot(7)
