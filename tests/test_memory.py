"""Keeping freed frame buffers in the process (glibc's mallopt)."""

import platform

import pytest

from studio.services.render.memory import keep_freed_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's; elsewhere it is left alone")
def test_glibc_takes_the_settings_and_taking_them_again_changes_nothing():
    assert [keep_freed_memory(), keep_freed_memory()] == [True, True]
