"""What people type, read into typed values: `/burst` commands (`command_parser`).

May import: `handlers.slack` (mrkdwn), `bot.domain` and `storage`. Never `handlers.listeners` or
`bot.entrypoints`.
"""
