"""The Hugging Face hub, looked at once: a model or file that is neither downloaded nor reachable is refused at
once, instead of huggingface_hub's and transformers' retries with back-off (minutes on a machine without network)."""

from __future__ import annotations

import contextlib
from pathlib import Path

HUB_PROBE_S = 5.0
"""How long the one look at the hub may take before a missing model or file is refused."""


def hub_file(repo: str, file: str, revision: str) -> Path:
    """`file` of the hub `repo` at `revision` on disk: from the hub cache, or downloaded once the hub answers.
    OSError (naming the file) when it is not downloaded and the hub cannot be reached."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.errors import LocalEntryNotFoundError

    with contextlib.suppress(LocalEntryNotFoundError):  # downloaded before: no look at the hub at all
        return Path(hf_hub_download(repo, file, revision=revision, local_files_only=True))
    try:
        get_hf_file_metadata(hf_hub_url(repo, file, revision=revision), timeout=HUB_PROBE_S)
    except Exception as error:  # noqa: BLE001 - offline mode, DNS, refused, timeout, 404: each means "cannot fetch"
        raise unreachable(f"{repo}/{file}", error) from None
    return Path(hf_hub_download(repo, file, revision=revision))


def unreachable(what: str, error: BaseException) -> OSError:
    """The refusal for `what`, neither downloaded nor fetchable (`error` is why the hub did not answer)."""
    return OSError(f"{what} is not downloaded, and the Hugging Face hub cannot be reached from here to download it "
                   f"({type(error).__name__})")


def check_repo(repo: str, what: str | None = None) -> None:
    """Return when hub model `repo` is downloaded or the hub answers for it (one look, instead of transformers'
    retries with back-off); OSError naming it (as `what`, when given) when neither."""
    import huggingface_hub
    from huggingface_hub.errors import LocalEntryNotFoundError

    with contextlib.suppress(LocalEntryNotFoundError, OSError, ValueError):  # downloaded before: no look at the hub
        huggingface_hub.snapshot_download(repo, local_files_only=True)
        return
    try:
        huggingface_hub.model_info(repo, timeout=HUB_PROBE_S)
    except Exception as error:  # noqa: BLE001 - offline mode, DNS, refused, timeout, 404: each means "cannot fetch"
        raise unreachable(what or repr(repo), error) from None
