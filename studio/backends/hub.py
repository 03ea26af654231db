"""The Hugging Face hub, looked at once: a model or file that is neither downloaded nor reachable is refused at
once, instead of huggingface_hub's and transformers' retries with back-off (minutes on a machine without network)."""

from __future__ import annotations

from pathlib import Path

HUB_PROBE_S = 5.0
"""How long the one look at the hub may take before a missing model or file is refused."""


def hub_file(repo: str, file: str, revision: str) -> Path:
    """`file` of the hub `repo` at `revision` on disk: from the hub cache, or downloaded once the hub answers.
    OSError (naming the file) when it is not downloaded and the hub cannot be reached."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(hf_hub_download(repo, file, revision=revision, local_files_only=True))
    except LocalEntryNotFoundError:
        pass  # not in the cache: look at the hub once
    try:
        get_hf_file_metadata(hf_hub_url(repo, file, revision=revision), timeout=HUB_PROBE_S)
    except Exception as error:  # noqa: BLE001 - offline mode, DNS, refused, timeout, 404: each means "cannot fetch"
        raise OSError(f"{repo}/{file} is not downloaded, and the Hugging Face hub cannot be reached from here to "
                      f"download it ({type(error).__name__})") from None
    return Path(hf_hub_download(repo, file, revision=revision))
