"""`python app.py` started the way Hugging Face Spaces starts it, then loaded over HTTP (127.0.0.1 only)."""

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from packaging.requirements import Requirement

from tests.serving import free_port

ROOT = Path(__file__).resolve().parent.parent

# What a Space with `hf_oauth: true` sets (gradio/oauth.py and gradio/utils.py:get_space read these).
SPACE_VARIABLES = {
    "SYSTEM": "spaces",
    "SPACE_ID": "x/y",
    "SPACE_HOST": "x-y.hf.space",
    "OAUTH_CLIENT_ID": "test-client",
    "OAUTH_CLIENT_SECRET": "test-secret",
    "OAUTH_SCOPES": "openid profile",
    "OPENID_PROVIDER_URL": "https://huggingface.co",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def test_requirements_install_what_the_login_button_needs():
    """The Space installs requirements.txt: gradio must come with its `oauth` extra, and that extra is here."""
    lines = [Requirement(line) for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    gradio = next(r for r in lines if r.name == "gradio")
    assert (gradio.extras, str(gradio.specifier)) == ({"oauth"}, "==6.31.0")
    oauth_packages = [r for r in map(Requirement, importlib.metadata.requires("gradio"))
                      if r.marker is not None and r.marker.evaluate({"extra": "oauth"})]
    missing = []
    for requirement in oauth_packages:
        try:
            importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement.name)
    assert oauth_packages and missing == []


FIRST_REQUEST_IMPORTS = """
import sys
import matplotlib
from studio.services import ReviewDesk, Studio
from studio.store import VoteStore
from studio.ui.app import build_app
from studio.workspace import sample_workspace
workspace = sample_workspace(sys.argv[1])
build_app(ReviewDesk(Studio.open(workspace), VoteStore(workspace.root / "votes.db")))
matplotlib.get_backend()  # what gradio reads around every event, the first one included
print("pyplot imported" if "matplotlib.pyplot" in sys.modules else "no pyplot")
import matplotlib.pyplot as plt  # imported later all the same, by whatever draws with it
switched = []
plt.switch_backend = switched.append
before = matplotlib.get_backend()
matplotlib.use("agg")  # what gradio sets around every event (gradio/utils.py), then sets back
matplotlib.use(before)
print(f"switched {switched}")
"""


def test_the_first_request_does_not_import_pyplot(tmp_path):
    """Gradio reads matplotlib's backend around every event; with none named, the first read imports pyplot (about
    0.2 s), inside the first request every reviewer of a new server waits behind. The app names it at start-up,
    as gradio spells it."""
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", FIRST_REQUEST_IMPORTS, str(tmp_path / "workspace")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    # and gradio's setting around each event changes nothing: a switch would race with a thread importing pyplot
    assert done.stdout.strip().splitlines()[-2:] == ["no pyplot", "switched []"]


def test_the_page_draws_its_text_from_whole_font_files():
    """gradio ships its default fonts' semibold files as stubs of a few glyphs (about 5 KB; a whole face is 35-100
    KB), so the default theme's bold text mixed two fonts ("B" and "A" in one, the other letters in another)."""
    import gradio

    from studio.ui.app import page_theme

    served_from = Path(gradio.__file__).parent / "templates" / "frontend"
    faces = re.findall(r"url\('(static/fonts/[^']+\.woff2)'\)", page_theme()._get_theme_css())  # what /theme.css says
    assert len(faces) == 4, faces  # two weights of the text font and of the code font
    assert {face: (served_from / face).stat().st_size > 20_000 for face in faces} == dict.fromkeys(faces, True)


def get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("location", "")


def test_app_boots_as_a_space_and_serves_the_page(small_workspace, tmp_path):
    port = free_port()
    env = {**os.environ, **SPACE_VARIABLES, "STUDIO_HOST": "127.0.0.1", "STUDIO_PORT": str(port),
           "STUDIO_HOME": str(tmp_path / "home"), "STUDIO_DB": str(tmp_path / "votes.db")}
    log = tmp_path / "app.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "app.py", "--workspace", str(small_workspace.root)], cwd=ROOT,
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        status, page = 0, ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, page = get(f"http://127.0.0.1:{port}/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert process.poll() is None, log.read_text()[-3000:]
        assert (status, "<!doctype html>" in page.lower()) == (200, True)
        _, config = get(f"http://127.0.0.1:{port}/config")
        config = json.loads(config)
        buttons = [c["props"].get("value") for c in config["components"] if c["type"] == "button"]
        assert (config["title"], "Sign in with Hugging Face" in buttons) == ("Shot Video Studio", True)
        # Gradio's OAuth routes are mounted: logging out redirects back to the page.
        assert get(f"http://127.0.0.1:{port}/logout") in ((302, "/"), (307, "/"))
        assert not re.search(r"Cannot initialize OAuth|OAuth is required", log.read_text())
        # Gradio's Spaces hot-reload watcher needs the `spaces` package, which only a Space has: no traceback here.
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_space_id_alone_off_a_space_stops_with_what_to_set(small_workspace, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in SPACE_VARIABLES and key != "HF_TOKEN"}
    env.update({"SPACE_ID": "x/y", "HF_HOME": str(tmp_path / "hf"), "STUDIO_PORT": str(free_port()),
                "STUDIO_HOME": str(tmp_path / "home"), "STUDIO_DB": str(tmp_path / "votes.db")})
    done = subprocess.run([sys.executable, "app.py", "--workspace", str(small_workspace.root)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "SPACE_ID is set, but this is not a Hugging Face Space" in done.stderr
    assert "Traceback" not in done.stderr
