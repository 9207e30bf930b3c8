"""Personal numbers and e-mail addresses masked before they are stored, logged or reported; files
that hold them owner-only.

`masking` finds and masks them in text (on the view `normalise` makes, by the kinds `numbers`
knows); `continued` joins a number split over two messages; `tracker_store` is the SQL tracker
store that stores conversations masked (configured in endpoints.yml); `logs` is the log filter it
installs; `files` makes folders 0700 and files 0600; `remask` (`python -m bot.privacy remask`)
masks again what older versions stored. See docs/privacy.md.
"""
