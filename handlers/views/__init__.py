"""What people see: the Block Kit of messages and the App Home, and the replies in words.

May import: `handlers.slack` (mrkdwn), `bot.services` and `bot.domain` (the values shown), `storage` and
`config`. Never `handlers.listeners` or `bot.entrypoints`.
"""
