"""The studio app launched for real on a free local port, for the tests that drive it as clients do."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def launched(desk, password: str | None = None, **app_options) -> Iterator[str]:
    """Serve `build_app(desk, **app_options)` (behind a login taking `password` for any name, when given);
    yields its URL and closes it afterwards."""
    from studio.ui.app import build_app, page_theme, served_folders

    page = build_app(desk, **app_options)
    port = free_port()
    auth = (lambda user, typed: typed == password) if password else None
    page.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                        allowed_paths=served_folders(desk), auth=auth, theme=page_theme())
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        page.close()
