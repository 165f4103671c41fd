"""The machinery work runs on: durable timers and the messages a step owes (`timers`), the ports
services talk to Slack and to the timers through (`ports`), each Slack delivery acted on once and one piece of
work at a time (`work_gate`), logs and metrics.

May import: `bot.domain`, `storage` and `config`. Never `bot.services`, `handlers` or `bot.entrypoints`.
"""
