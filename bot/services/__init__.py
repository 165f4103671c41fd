"""What Burst does, each step one unit of work: asking and its waves (`asking`, and
`routing`: from a topic to a wave), sessions, follow-ups, profiles, calendars, the digest, directory sync,
privacy, import and export; `container.Services` is the set one process runs with.

May import: `bot.domain`, `bot.runtime`, `storage` and `config`. Never `handlers` or `bot.entrypoints`: services
reach Slack only through the ports in `bot.runtime.ports`.
"""
