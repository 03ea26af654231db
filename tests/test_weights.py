"""Weights named by URL: downloaded once per URL from a local server, checked by SHA-256, never kept half-done."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from studio.errors import BackendUnavailableError
from studio.services.render.weights import FILM_RELEASES, fetch_rife_weights, film_weights_path

RIFE_46 = b"rife 4.6 weights"
RIFE_425 = b"rife 4.25 weights"
FILM = b"film weights"
# Path -> (body, the Content-Length announced): /cut/ promises more than it sends, then hangs up.
SERVED = {
    "/4.6/flownet.pkl": (RIFE_46, len(RIFE_46)),
    "/4.25/flownet.pkl": (RIFE_425, len(RIFE_425)),
    "/cut/flownet.pkl": (RIFE_425[:4], len(RIFE_425)),
    "/film/film_net_fp32.pt": (FILM, len(FILM)),
}


class Server:
    """A local HTTP server on a free port, answering SERVED and recording every path asked for, in order."""

    def __init__(self) -> None:
        asked = self.asked = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                asked.append(self.path)  # before answering, so the client never finishes first
                body, length = SERVED[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None  # quiet: the test keeps its own log of requests

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"


@pytest.fixture
def server() -> Iterator[Server]:
    served = Server()
    thread = threading.Thread(target=served.http.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield served
    finally:
        served.http.shutdown()
        served.http.server_close()
        thread.join()


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_two_urls_with_one_file_name_are_two_files_each_downloaded_once(server, tmp_path):
    cache = tmp_path / "rife"
    urls = [f"{server.url}/4.6/flownet.pkl", f"{server.url}/4.25/flownet.pkl"] * 2
    paths = [fetch_rife_weights(url, tmp_path, cache) for url in urls]
    assert [(path.name, path.read_bytes()) for path in paths] == [
        ("flownet.pkl", RIFE_46), ("flownet.pkl", RIFE_425), ("flownet.pkl", RIFE_46), ("flownet.pkl", RIFE_425)]
    assert paths[2:] == paths[:2] and paths[0] != paths[1]
    assert [path.stat().st_mode & 0o777 for path in paths[:2]] == [0o644, 0o644]
    assert server.asked == ["/4.6/flownet.pkl", "/4.25/flownet.pkl"]
    assert files_in(cache) == ["flownet.pkl", "flownet.pkl"]


def test_a_download_with_another_sha256_is_refused_and_not_kept(server, tmp_path):
    cache = tmp_path / "film"
    url = f"{server.url}/film/film_net_fp32.pt"
    actual, wrong = hashlib.sha256(FILM).hexdigest(), "0" * 64
    with pytest.raises(BackendUnavailableError) as refused:
        film_weights_path(url, tmp_path, cache, sha256=wrong)
    assert str(refused.value) == (
        f"FILM weights downloaded from {url} (film_net_fp32.pt) have SHA-256 {actual}, not the configured "
        f"interpolation.film_sha256 {wrong}, so the download was not kept; correct interpolation.film_sha256 "
        f"(or the URL), or download film_net_fp32.pt by hand from {FILM_RELEASES} and set "
        "interpolation.film_weights to its path")
    assert files_in(cache) == []

    kept = [film_weights_path(url, tmp_path, cache, sha256=actual) for _ in range(2)]
    assert [(path.name, path.read_bytes()) for path in kept] == [("film_net_fp32.pt", FILM)] * 2
    assert server.asked == ["/film/film_net_fp32.pt"] * 2  # refused, then kept; the third call reads the cache


def test_a_new_url_that_breaks_off_is_refused_though_its_file_name_is_cached(server, tmp_path):
    cache = tmp_path / "rife"
    fetch_rife_weights(f"{server.url}/4.6/flownet.pkl", tmp_path, cache)
    cut = f"{server.url}/cut/flownet.pkl"
    with pytest.raises(BackendUnavailableError) as refused:
        fetch_rife_weights(cut, tmp_path, cache)
    assert re.fullmatch(
        re.escape(f"could not download RIFE weights from {cut} (")
        + r".*IncompleteRead.*"
        + re.escape("); download flownet.pkl by hand and set interpolation.rife_weights to its path"),
        str(refused.value))
    assert files_in(cache) == ["flownet.pkl"]  # the 4.6 file only: nothing of the cut-off download
    assert server.asked == ["/4.6/flownet.pkl", "/cut/flownet.pkl"]
