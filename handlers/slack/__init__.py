"""Slack itself: the Web API behind the ports (`gateway`: the calls, and the clients they go out on, which give up
their work slot while they wait), the scopes and rate-limit Tiers Burst needs (`scopes`, `install_check`), Slack's
availability signals (`signals`), and how a delivery enters Burst (`listening`): NUL dropped, answered at the ack,
acted on once, run in turn.

May import: `handlers.views`, `bot.services`, `bot.runtime`, `bot.domain`, `storage` and `config`. Never
`handlers.listeners` or `bot.entrypoints`.
"""
