"""Rasa input channels of the assistant, one module per channel (see docs/wechat.md for WeChat)."""
