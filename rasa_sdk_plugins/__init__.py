"""Action server plugins: rasa-sdk imports this package by this exact name when it starts.

The one plugin retries nurse alerts that could not be delivered (actions/clients/nurse_alerts.py),
in the background of the action server, for as long as it runs.
"""

from __future__ import annotations

import pluggy
from sanic import Sanic

from actions.handoff import nurse_notifier

hookimpl = pluggy.HookimplMarker("rasa_sdk")


async def _start_alert_retries(app: Sanic, loop: object) -> None:
    # Sanic 21 calls server listeners with the app and the event loop.
    app.add_task(nurse_notifier().run())


class NurseAlertRetries:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.register_listener(_start_alert_retries, "after_server_start")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(NurseAlertRetries())
