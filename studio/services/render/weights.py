"""Where model weights named in pipeline.yaml live: a path, or a URL fetched once (through pooch)."""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from studio.errors import BackendUnavailableError
from studio.workspace import default_home

# Where scripts/get-rife puts the released RIFE 4.25 weights, under $STUDIO_HOME.
INSTALLED_RIFE = ("models", "rife-4.25", "flownet.pkl")
# FILM's TorchScript export, as the PyTorch port publishes it.
FILM_FILE = "film_net_fp32.pt"
FILM_RELEASES = "https://github.com/dajes/frame-interpolation-pytorch/releases"


@dataclass(frozen=True)
class _Family:
    """What a download's messages say about one family of weights, and where its URLs are cached."""

    label: str
    folder: str  # under $STUDIO_HOME/models
    by_hand: str
    sha256_setting: str | None = None


_RIFE = _Family("RIFE weights", "rife", "download flownet.pkl by hand and set interpolation.rife_weights to its path")
_FILM = _Family("FILM weights", "film", f"download {FILM_FILE} by hand from {FILM_RELEASES} and set "
                "interpolation.film_weights to its path", sha256_setting="interpolation.film_sha256")


def rife_weights_path(location: str | None, workspace_root: Path) -> Path | None:
    """The configured RIFE weights (a path or URL), else the RIFE 4.25 file scripts/get-rife installed; None: neither."""
    if location:
        return fetch_rife_weights(location, workspace_root)
    installed = default_home().joinpath(*INSTALLED_RIFE)
    return installed if installed.is_file() else None


def fetch_rife_weights(location: str, workspace_root: Path, cache: Path | None = None) -> Path:
    """`location` as a path (relative ones from the workspace), or an http(s) URL downloaded once into `cache`."""
    return _fetch(location, workspace_root, cache, _RIFE)


def film_weights_path(location: str, workspace_root: Path, cache: Path | None = None,
                      sha256: str | None = None) -> Path:
    """The configured FILM TorchScript file: a path, or a URL fetched once into $STUDIO_HOME/models/film.

    A download whose SHA-256 is not `sha256` (interpolation.film_sha256), when given, is refused and not kept.
    """
    return _fetch(location, workspace_root, cache, _FILM, sha256)


def depth_model_source(location: str, workspace_root: Path) -> str:
    """interpolation.depth.model as transformers should load it: a folder (absolute, or relative to the workspace,
    when one is there) or else the hub id as written."""
    path = Path(location).expanduser()
    if path.is_absolute():
        return str(path)
    inside = workspace_root / path
    return str(inside) if inside.is_dir() or location.startswith(("./", "../")) else location


def check_film_sha256(path: Path, sha256: str | None) -> None:
    """Refuse a FILM file whose SHA-256 is not the configured one (nothing to check when none is, or no file)."""
    if not sha256 or not path.is_file():
        return  # a missing file gets the loader's message
    actual = _sha256(path)
    if actual != sha256:
        raise BackendUnavailableError(
            f"{path} has SHA-256 {actual}, not the configured interpolation.film_sha256 {sha256}; download "
            f"{FILM_FILE} again from {FILM_RELEASES} (delete a downloaded copy to fetch it again), "
            "or correct film_sha256"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(location: str, workspace_root: Path, cache: Path | None, family: _Family,
           sha256: str | None = None) -> Path:
    if not location.startswith(("http://", "https://")):
        path = Path(location).expanduser()
        return path if path.is_absolute() else workspace_root / path
    return _download(location, cache or default_home() / "models" / family.folder, family, sha256)


def _download(url: str, cache: Path, family: _Family, sha256: str | None) -> Path:
    """`url` downloaded once into its own folder of `cache`, named by the URL's hash, so two releases that share a
    file name (every RIFE release is flownet.pkl) never stand in for each other. pooch downloads to a temporary
    file beside the target and moves it into place only once complete and, when `sha256` is given, matching it;
    a cached file that no longer matches `sha256` is downloaded again."""
    import pooch  # only when a URL is configured

    pooch.get_logger().setLevel(logging.WARNING)  # its INFO lines are advice for pooch's callers, not our users
    name = Path(urllib.parse.urlparse(url).path).name
    folder = cache / hashlib.sha256(url.encode()).hexdigest()[:16]
    http = pooch.HTTPDownloader(progressbar=False)
    downloaded: list[str] = []  # the SHA-256 of what came, for the refusal's message

    def download(source: str, output_file: str, owner: object) -> None:
        http(source, output_file, owner)
        os.chmod(output_file, 0o644)  # a temporary file is 0600; cluster workers read the driver's copy
        if sha256:
            downloaded.append(_sha256(Path(output_file)))

    try:
        fetched = pooch.retrieve(url, known_hash=f"sha256:{sha256}" if sha256 else None, fname=name,
                                 path=folder, downloader=download)
    except OSError as error:  # requests' errors (network down, HTTP 404, a cut-off body) are OSErrors too
        raise BackendUnavailableError(
            f"could not download {family.label} from {url} ({error}); {family.by_hand}") from None
    except ValueError:
        if not downloaded:
            raise
        raise BackendUnavailableError(
            f"{family.label} downloaded from {url} ({name}) have SHA-256 {downloaded[-1]}, not the configured "
            f"{family.sha256_setting} {sha256}, so the download was not kept; correct {family.sha256_setting} "
            f"(or the URL), or {family.by_hand}") from None
    return Path(fetched)
