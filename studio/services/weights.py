"""Where model weights named in pipeline.yaml live: a path, or a URL fetched once."""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from pathlib import Path

from studio.errors import BackendUnavailableError
from studio.files import replaced_atomically
from studio.workspace import default_home


# Where scripts/get-rife puts the released RIFE 4.25 weights, under $STUDIO_HOME.
INSTALLED_RIFE = ("models", "rife-4.25", "flownet.pkl")
# FILM's TorchScript export, as the PyTorch port publishes it.
FILM_FILE = "film_net_fp32.pt"
FILM_RELEASES = "https://github.com/dajes/frame-interpolation-pytorch/releases"


def rife_weights_path(location: str | None, workspace_root: Path) -> Path | None:
    """The configured RIFE weights (a path or URL), else the RIFE 4.25 file scripts/get-rife installed; None: neither."""
    if location:
        return fetch_rife_weights(location, workspace_root)
    installed = default_home().joinpath(*INSTALLED_RIFE)
    return installed if installed.is_file() else None


def fetch_rife_weights(location: str, workspace_root: Path, cache: Path | None = None) -> Path:
    """`location` as a path (relative ones from the workspace), or an http(s) URL downloaded once into `cache`."""
    return _fetch(location, workspace_root, cache or default_home() / "models" / "rife",
                  "RIFE weights", "download flownet.pkl by hand and set interpolation.rife_weights to its path")


def film_weights_path(location: str, workspace_root: Path, cache: Path | None = None) -> Path:
    """The configured FILM TorchScript file: a path, or a URL fetched once into $STUDIO_HOME/models/film."""
    return _fetch(location, workspace_root, cache or default_home() / "models" / "film", "FILM weights",
                  f"download {FILM_FILE} by hand from {FILM_RELEASES} and set interpolation.film_weights to its path")


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


def _fetch(location: str, workspace_root: Path, cache: Path, label: str, by_hand: str) -> Path:
    if not location.startswith(("http://", "https://")):
        path = Path(location).expanduser()
        return path if path.is_absolute() else workspace_root / path
    target = cache / Path(urllib.parse.urlparse(location).path).name
    if target.is_file():
        return target
    try:
        with replaced_atomically(target, ".part") as partial:  # a finished download only, so an interrupted one is retried
            urllib.request.urlretrieve(location, partial)  # noqa: S310 - only http(s) reaches here
    except OSError as error:
        raise BackendUnavailableError(f"could not download {label} from {location} ({error}); {by_hand}") from None
    return target
