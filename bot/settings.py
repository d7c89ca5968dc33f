"""All gateway and process settings, read from the environment (and `.env`) in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, Field

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    gateway_host: str = Field("127.0.0.1", description="Address the gateway listens on.")
    gateway_port: int = Field(8000, description="Port of the gateway, the only public port.")
    rasa_port: int = Field(5005, description="Port of the Rasa server (always on 127.0.0.1).")
    action_port: int = Field(5055, description="Port of the action server (always on 127.0.0.1).")
    rasa_token: str = Field(
        "", description="Token for Rasa's HTTP API. Empty: a random one is made at each start."
    )
    rasa_timeout_seconds: float = Field(10.0, description="How long the gateway waits for Rasa.")
    tracker_store_url: str = Field(
        f"sqlite:///{PROJECT_DIR / 'var' / 'tracker.db'}",
        description="SQLAlchemy URL of the conversation store (SQLite file or PostgreSQL).",
    )
    model_path: Path = Field(PROJECT_DIR / "models", description="Trained model file or folder.")
    rate_limit_per_minute: int = Field(30, description="Messages one sender may send a minute.")
    max_body_bytes: int = Field(16 * 1024, description="Largest request body the gateway reads.")
    log_message_text: bool = Field(False, description="Debug only: write message text to the logs.")

    class Config:
        env_file = PROJECT_DIR / ".env"
        env_file_encoding = "utf-8"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_server_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
