"""What the gateway holds for the chat apps, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels.slack.signature import DeliveredEvents
from bot.channels.teams.auth import IncomingTokenVerifier
from bot.gateway.relay import ChannelRelay
from settings.bot import Settings


@dataclass
class ChatApps:
    relay: ChannelRelay
    slack_signing_secret: str = ""
    teams: IncomingTokenVerifier | None = None
    slack_deliveries: DeliveredEvents = field(default_factory=DeliveredEvents)

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatApps:
        """Slack is on when it has a signing secret, Teams when it has an app id."""
        teams = None
        if settings.teams_app_id:
            teams = IncomingTokenVerifier(settings.teams_app_id, settings.teams_openid_metadata_url)
        return cls(
            relay=ChannelRelay(settings.rasa_worker_urls, settings.rasa_timeout_seconds),
            slack_signing_secret=settings.slack_signing_secret.get_secret_value(),
            teams=teams,
        )

    async def close(self) -> None:
        await self.relay.close()
