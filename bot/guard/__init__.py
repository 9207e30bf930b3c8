"""Guards between a channel and the assistant: bad input gets a clear answer, never silence.

`replies` holds the Chinese answers and `ensure_reply`, which every channel uses (the REST channel
with the guards applied is bot/channels/rest.py, credentials.yml: `bot.channels.rest.GuardedRestInput:`);
`action_schema` compiles Rasa's action-response check once. See docs/privacy.md (“Bad input”).
"""
