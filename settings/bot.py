"""Settings of the gateway, the supervisor and the Rasa-side Slack and Teams connectors."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, root_validator, validator

from settings import PROJECT_DIR, refuse_placeholders
from settings.clinic import ClinicSettings

SECRET_FIELDS = (
    "rasa_token",
    "slack_signing_secret",
    "slack_bot_token",
    "teams_app_password",
    "staff_token",
)


class Settings(ClinicSettings):
    gateway_host: str = Field("127.0.0.1", description="Address the gateway listens on.")
    gateway_port: int = Field(8000, description="Port of the gateway, the only public port.")
    rasa_port: int = Field(5005, description="Port of the Rasa server (always on 127.0.0.1).")
    action_port: int = Field(5055, description="Port of the action server (always on 127.0.0.1).")
    rasa_token: str = Field(
        "",
        description="Token for Rasa's HTTP API. Empty: a random one is made at each start. "
        "Set it so `make eval` can use the servers `make run` started.",
    )
    rasa_timeout_seconds: float = Field(10.0, description="How long the gateway waits for Rasa.")
    red_flag_timeout_seconds: float = Field(
        5.0,
        description="How long the gateway waits for Rasa on a message with a warning sign "
        "before it gives the emergency reply itself: well before the widget gives up (30 s).",
    )
    admission_slots_per_worker: int = Field(
        8,
        ge=0,
        description="Messages the gateway lets be in flight at each Rasa worker once its "
        "queue is standing (past capacity); past that a message is answered 503 busy with "
        "Retry-After, except a warning sign. A turn costs Rasa about 20 ms of CPU, so 8 queue "
        "well under 300 ms. Measured on one worker (2 cores, 60 s, dev stack): at 70 msg/s, "
        "8 kept answered messages at p95 250 ms where 10 let them reach 279 ms (321 ms at "
        "80 msg/s). "
        "0 turns the bound off.",
    )
    admission_burst_slots_per_worker: int = Field(
        20,
        ge=0,
        description="Messages a worker may have in flight while its load over the last second "
        "is under 60 % of its slots: patients arriving together now and then, not a standing "
        "queue. At 35 msg/s on one worker, 10 slots alone turned 8 of 4,131 messages away "
        "busy; with 20 for bursts, 8 slots turned none of 3,171 away, p95 141 ms. Not above "
        "ADMISSION_SLOTS_PER_WORKER: no burst.",
    )
    admission_wait_seconds: float = Field(
        0.02,
        ge=0,
        description="How long a message may wait for a free slot before it is answered busy: "
        "a turn frees one every 20 ms or so, and a busy answer should come fast (at 52 msg/s "
        "the slowest came after 86 ms with 0.02 s, 115 ms with 0.05 s).",
    )
    admission_waiting_per_worker: int = Field(
        2,
        ge=0,
        description="Messages that may wait for a slot at once, per worker; one more is "
        "answered busy at once instead of after the wait (past capacity the line is always "
        "full, and a busy answer should come fast).",
    )
    tracker_store_url: str = Field(
        f"sqlite:///{PROJECT_DIR / 'var' / 'tracker.db'}",
        description="SQLAlchemy URL of the conversation store (SQLite file or PostgreSQL).",
    )
    rasa_workers: int = Field(
        1,
        ge=1,
        description="Rasa worker processes, on RASA_PORT and the ports after it. More than one "
        "needs a PostgreSQL TRACKER_STORE_URL and REDIS_URL.",
    )
    rasa_urls: str = Field(
        "",
        description="Comma-separated URLs of Rasa workers that run elsewhere (containers); "
        "the gateway then uses these instead of RASA_PORT and RASA_WORKERS.",
    )
    redis_url: str = Field(
        "",
        description="Redis for Rasa's lock store, redis://[:password@]host:port/db. Empty: "
        "Rasa's in-memory lock store, which only one worker can use.",
    )
    action_host: str = Field(
        "127.0.0.1", description="Where the gateway finds the action server (a container name)."
    )
    model_path: Path = Field(PROJECT_DIR / "models", description="Trained model file or folder.")
    rate_limit_per_minute: int = Field(30, description="Messages one sender may send a minute.")
    rate_limit_per_address_per_minute: int = Field(
        120,
        description="Messages and deletions one client address may send a minute, whatever "
        "sender ids it uses (a clinic's shared Wi-Fi is one address).",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (10.0.0.0/8) of your reverse proxies "
        "or load balancer: for requests from them, the client address is read from "
        "X-Forwarded-For. Empty: the connection's address is the client's.",
    )
    retention_days: float = Field(
        30,
        gt=0,
        description="Conversations idle this many days are deleted, with their tokens.",
    )
    retention_job_interval_seconds: float = Field(
        3600.0,
        gt=0,
        description="How often the retention job runs (one gateway process runs it, whichever "
        "is first); it also finishes deletions a failing part interrupted.",
    )
    max_body_bytes: int = Field(16 * 1024, description="Largest request body the gateway reads.")
    log_message_text: bool = Field(False, description="Debug only: write message text to the logs.")
    cors_origins: str = Field(
        "",
        description="Other websites that may embed the widget: comma-separated origins such as "
        "https://clinic.example (scheme and host, no path). Empty: same origin only.",
    )
    slack_signing_secret: SecretStr = Field(
        "",
        description="Slack app's Signing Secret (Basic Information). Empty: Slack is off and "
        "its webhook answers 503.",
    )
    slack_bot_token: SecretStr = Field(
        "", description="Slack Bot User OAuth Token (xoxb-...), used to post answers."
    )
    slack_api_base_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL; tests point it at a local stand-in.",
    )
    teams_app_id: str = Field(
        "",
        description="Microsoft App ID of the Azure Bot. Empty: Teams is off and its webhook "
        "answers 503.",
    )
    teams_app_password: SecretStr = Field(
        "", description="Client secret of that Microsoft App, used to get reply tokens."
    )
    teams_openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="Bot Framework OpenID metadata, whose JWKS keys sign incoming activities.",
    )
    teams_oauth_url: str = Field(
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
        description="OAuth endpoint that gives the bot its token for posting Teams replies; "
        "single-tenant bots use https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token.",
    )
    staff_token: SecretStr = Field(
        "",
        description="Secret that opens the staff page (/staff) and its JSON API (Authorization: "
        "Bearer ...). Empty: in development one is made and printed at each start; in "
        "production the staff page is off.",
    )
    review_queue: bool | None = Field(
        None,
        description="Keep the redacted text of questions the assistant could not answer, for "
        "staff to review on /staff. Empty: on in development, off in production.",
    )
    review_retention_days: int = Field(
        30, ge=1, description="Days a question waits in the review queue before it is deleted."
    )

    @validator("cors_origins")
    def origins_are_scheme_and_host(cls, value: str) -> str:
        # A path or trailing slash never matches the browser's Origin header, so CORS would
        # fail silently; say so at start instead.
        origins = [origin.strip() for origin in value.split(",") if origin.strip()]
        for origin in origins:
            if not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"{origin!r} is not an origin like https://clinic.example")
        return ",".join(origins)

    @validator("trusted_proxies")
    def proxies_are_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as error:
                raise ValueError(f"{entry!r} is not an address or network") from error
        return ",".join(entries)

    @validator("review_queue", pre=True)
    def empty_review_queue_means_default(cls, value: object) -> object:
        # `REVIEW_QUEUE=` (as .env.example writes it) means "not set", not "false".
        return None if value == "" else value

    @root_validator(skip_on_failure=True)
    def no_placeholder_secrets_outside_development(cls, values: dict) -> dict:
        if values["environment"] != "development":
            refuse_placeholders(values, SECRET_FIELDS)
        return values

    @property
    def review_queue_on(self) -> bool:
        if self.review_queue is None:
            return self.environment == "development"
        return self.review_queue

    @property
    def cors_origin_list(self) -> list[str]:
        return self.cors_origins.split(",") if self.cors_origins else []

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_worker_ports(self) -> list[int]:
        return [self.rasa_port + n for n in range(self.rasa_workers)]

    @property
    def rasa_worker_urls(self) -> list[str]:
        if self.rasa_urls:
            return [url.strip() for url in self.rasa_urls.split(",") if url.strip()]
        return [f"http://127.0.0.1:{port}" for port in self.rasa_worker_ports]

    @property
    def action_server_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}"


_POSTGRES_SCHEME = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://")


def postgres_dsn(url: str) -> str | None:
    """A libpq URL from an SQLAlchemy URL (`postgresql+psycopg2://...`); None if not PostgreSQL."""
    if not _POSTGRES_SCHEME.match(url):
        return None
    return _POSTGRES_SCHEME.sub("postgresql://", url)


@lru_cache
def get_settings() -> Settings:
    return Settings()
