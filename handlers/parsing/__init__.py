"""What people type, read into typed values: `/burst` commands (`command_parser`).

May import: `handlers.views` (user text escaped for mrkdwn), `bot.domain` and `storage`. Never `handlers.listeners`
or `bot.entrypoints`.
"""
