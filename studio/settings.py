"""Settings from the environment, in one typed place: every STUDIO_* variable (and Spaces' SPACE_ID).

Read when asked (`environment()`), never at import, so tests and launchers
can set variables first. Bad values stop start-up with a message naming the variable.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from studio.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


class Environment(BaseSettings):
    """The studio's environment variables; each field is `STUDIO_<NAME>` unless it says otherwise."""

    model_config = SettingsConfigDict(env_prefix="STUDIO_", frozen=True, use_attribute_docstrings=True, extra="ignore")

    home: Path = REPO_ROOT / ".studio"
    """Where the studio keeps its writable sample workspace and downloaded weights."""
    workspace: Path | None = None
    """Workspace the app serves when --workspace is not given (default: the sample copy)."""
    db: Path | None = None
    """Vote database (default: WORKSPACE/review/votes.db)."""
    host: str | None = None
    """Address the app listens on (default: 127.0.0.1; 0.0.0.0 on a Space)."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Port the app listens on (default: $GRADIO_SERVER_PORT or 7860)."""
    password: SecretStr | None = None
    """A password for private deployments: every request must log in with it."""
    operators: str | None = None
    """Comma-separated user names of the operators (who may decide, promote, replace keyframes, render whole
    scripts and export): Hugging Face names on a Space, login names with STUDIO_PASSWORD. Unset: on a Space
    nobody, with a password everyone who logs in, locally everyone on this machine."""
    operator_password: SecretStr | None = None
    """With STUDIO_PASSWORD and STUDIO_OPERATORS: the password the operators' names log in with (reviewers keep
    STUDIO_PASSWORD), so knowing the reviewers' password is not enough to log in as an operator."""
    ffmpeg: Path | None = None
    """The ffmpeg to run (default: the imageio-ffmpeg wheel's static build, else PATH)."""
    space_id: str | None = Field(default=None, validation_alias="SPACE_ID")
    """Set by Hugging Face Spaces: the app listens on 0.0.0.0 and shows a login button."""
    gradio_server_port: int | None = Field(default=None, validation_alias="GRADIO_SERVER_PORT", ge=1, le=65535)
    """Gradio's own port variable, honoured when STUDIO_PORT is unset."""

    @property
    def on_space(self) -> bool:
        return bool(self.space_id)

    @property
    def server_host(self) -> str:
        return self.host or ("0.0.0.0" if self.on_space else "127.0.0.1")

    @property
    def server_port(self) -> int:
        return self.port or self.gradio_server_port or 7860


def environment() -> Environment:
    """The environment as it is now, validated."""
    try:
        return Environment()
    except ValidationError as error:
        problems = "; ".join(
            f"{'STUDIO_' + str(item['loc'][0]).upper() if item['loc'] else 'environment'} = {item.get('input')!r}: {item['msg']}"
            for item in error.errors()
        )
        raise ConfigError(f"bad environment variable: {problems}") from None
