"""Guards between a channel and the assistant: bad input gets a clear answer, never silence.

`replies` holds the Chinese answers and `ensure_reply`, which any channel can use; `rest` is Rasa's
REST channel with the guards applied (credentials.yml: `bot.guard.rest.GuardedRestInput:`). See
docs/privacy.md (“Bad input”).
"""
