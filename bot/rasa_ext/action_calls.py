"""Rasa's calls to the action server, made cheaper for Rasa's one busy core.

Each turn runs one or more custom actions, and Rasa does two costly things with each call.
Profiling Rasa with py-spy at 20 messages a second (one worker) found them:

- It checks every reply against its JSON schema with `jsonschema.validate`, which first checks
  the schema itself against the meta-schema. Compiling the schema once removed most of that
  (about 60 % of Rasa's CPU at the time), yet the pure-Python check of a reply still cost
  1.5 ms, about 9 % of Rasa's CPU. `jsonschema-rs` (Rust) gives the same verdict on the same
  schema in 2 µs. Only a reply it rejects goes through the Python validator, which builds the
  error message Rasa's own check gives; where the two disagree, Python's verdict stands.
- `EndpointConfig.request` opens a new aiohttp session, and so a new TCP connection, for every
  call, about 7 % of Rasa's CPU. Here each endpoint keeps one session per event loop, with
  connections kept alive for 2 s: the action server (Sanic) closes an idle connection after
  5 s, so a call is never sent on a connection the server is closing.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp
import jsonschema_rs
from jsonschema import Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_SECONDS = 2.0

# Rasa's own wording for a reply that does not fit the schema (rasa/core/actions/action.py).
_INVALID_REPLY = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)


@functools.lru_cache(maxsize=1)
def action_reply_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def fast_action_reply_validator() -> Any:
    return jsonschema_rs.validator_for(RemoteAction.action_response_format_spec())


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's `RemoteAction._validate_action_result`: True, or Rasa's ValidationError."""
    if fast_action_reply_validator().is_valid(result):
        return True
    error = best_match(action_reply_validator().iter_errors(result))
    if error is not None:
        error.message += _INVALID_REPLY
        raise error
    return True


class _KeptSession:
    """What `async with endpoint.session()` gets: the endpoint's session, left open after."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def kept_session(self: EndpointConfig) -> _KeptSession:
    """Rasa's `EndpointConfig.session` (the same headers, auth and time limit), made once per
    endpoint and event loop, on a connector that keeps its connections alive a short while."""
    loop = asyncio.get_running_loop()
    kept = self.__dict__.get("_kept_session")
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = (
            aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS, limit=0),
        )
        kept = (loop, session)
        self.__dict__["_kept_session"] = kept
    return _KeptSession(kept[1])


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result
    EndpointConfig.session = kept_session
