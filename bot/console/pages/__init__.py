"""The console's pages, one blueprint each: sign-in, callbacks, conversations, report, admin.

Handlers do their database and drawing work in worker threads (`asyncio.to_thread`): SQL and
argon2 block, and the console serves several staff at once.
"""
