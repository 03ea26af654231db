"""Where model weights named in pipeline.yaml live: a path, or a URL fetched once."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

from studio.errors import BackendUnavailableError
from studio.files import replaced_atomically
from studio.workspace import default_home


# Where scripts/get-rife puts the released RIFE 4.25 weights, under $STUDIO_HOME.
INSTALLED_RIFE = ("models", "rife-4.25", "flownet.pkl")


def rife_weights_path(location: str | None, workspace_root: Path) -> Path | None:
    """The configured RIFE weights (a path or URL), else the RIFE 4.25 file scripts/get-rife installed; None: neither."""
    if location:
        return fetch_rife_weights(location, workspace_root)
    installed = default_home().joinpath(*INSTALLED_RIFE)
    return installed if installed.is_file() else None


def fetch_rife_weights(location: str, workspace_root: Path, cache: Path | None = None) -> Path:
    """`location` as a path (relative ones from the workspace), or an http(s) URL downloaded once into `cache`."""
    if not location.startswith(("http://", "https://")):
        path = Path(location).expanduser()
        return path if path.is_absolute() else workspace_root / path
    cache = cache or default_home() / "models" / "rife"
    target = cache / Path(urllib.parse.urlparse(location).path).name
    if target.is_file():
        return target
    try:
        with replaced_atomically(target, ".part") as partial:  # a finished download only, so an interrupted one is retried
            urllib.request.urlretrieve(location, partial)  # noqa: S310 - only http(s) reaches here
    except OSError as error:
        raise BackendUnavailableError(
            f"could not download RIFE weights from {location} ({error}); download flownet.pkl by hand "
            "and set interpolation.rife_weights to its path"
        ) from None
    return target
