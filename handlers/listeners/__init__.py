"""Slack's listeners, one module per surface, each with a `register`: ack, claim the delivery,
parse, call a service, answer.

May import: the rest of `handlers`, `bot.services`, `bot.runtime`, `bot.domain`, `storage` and `config`. Never
`bot.entrypoints`; nothing else in `handlers` imports it.
"""
