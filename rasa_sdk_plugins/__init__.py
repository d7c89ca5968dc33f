"""Action server plugins: rasa-sdk imports this package by this exact name when it starts.

In the background of the action server, for as long as it runs: nurse alerts that could not be
delivered are retried, and delivered ones are deleted after ALERT_RETENTION_DAYS
(actions/clients/nurse_alerts.py).

And one route, for "forget me" and the retention job: the gateway asks the action server to
delete what it keeps of some conversations (their nurse alerts, with the phone number):

    POST /conversations/forget   {"sender_ids": [...]}  ->  {"waiting": n, "delivered": m}

Like the action webhook, it is for Rasa's side only: the action server listens on 127.0.0.1, or
behind a network policy that lets only Rasa and the gateway in (deploy/k8s).
"""

from __future__ import annotations

import gc

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.handoff import nurse_notifier

hookimpl = pluggy.HookimplMarker("rasa_sdk")

MAX_SENDERS = 500


async def _start_alert_upkeep(app: Sanic, loop: object) -> None:
    # Sanic 21 calls server listeners with the app and the event loop.
    app.add_task(nurse_notifier().run())
    app.add_task(nurse_notifier().purge_forever())
    # The actions and their content are loaded: kept out of the garbage collector's full
    # passes, which otherwise stopped this server for 50 ms at a time (as bot/gc_pauses.py
    # does for Rasa and the gateway; this package may import only the actions).
    gc.collect()
    gc.freeze()


async def _forget_conversations(request: Request) -> HTTPResponse:
    body = request.json
    ids = body.get("sender_ids") if isinstance(body, dict) else None
    if not (
        isinstance(ids, list)
        and 1 <= len(ids) <= MAX_SENDERS
        and all(isinstance(sender, str) and sender for sender in ids)
    ):
        detail = f"sender_ids: a list of 1-{MAX_SENDERS} sender ids"
        return response.json({"error": "invalid_request", "detail": detail}, status=422)
    return response.json(nurse_notifier().forget(ids))


class NurseAlertUpkeep:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.register_listener(_start_alert_upkeep, "after_server_start")
        app.add_route(_forget_conversations, "/conversations/forget", methods=["POST"])


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(NurseAlertUpkeep())
