"""Slack itself: the Web API behind the ports (`gateway`), the scopes and rate-limit Tiers Burst
needs (`scopes`, `install_check`), Slack's availability signals (`signals`), mrkdwn (`mrkdwn`), Bolt answering
at the ack and acting once per delivery (`acks_first`), and Web API calls that give up their work slot while they
wait (`gated_io`).

May import: `handlers.views`, `bot.services`, `bot.runtime`, `bot.domain`, `storage` and `config`. Never
`handlers.listeners` or `bot.entrypoints`.
"""
