"""Personal numbers (ID card, mobile, bank card) masked before they are stored or logged.

`masking` finds and masks them in text; `tracker_store` is the SQL tracker store that stores
conversations masked (configured in endpoints.yml); `logs` is the log filter it installs.
See docs/privacy.md.
"""
