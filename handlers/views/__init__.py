"""What people see: writing for Slack (user text escaped, counts in words), the Block Kit of messages and the App
Home, and the replies in words.

May import: `bot.services` and `bot.domain` (the values shown), `storage` and `config`. Never `handlers.listeners`
or `bot.entrypoints`.
"""
