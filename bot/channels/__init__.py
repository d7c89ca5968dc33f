"""Slack and Microsoft Teams: request checks at the gateway, and the connectors inside Rasa.

The gateway verifies every chat-app request and relays it to Rasa; the connectors (subclasses
of Rasa's SlackInput and BotFrameworkInput) check it again, because Rasa's port is reachable by
any local process, and post the answers back.
"""
