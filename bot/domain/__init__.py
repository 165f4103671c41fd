"""Burst's rules, with no I/O: reading a topic (matching, understanding, the skill knowledge, evidence, embeddings),
skills and their aliases, durations, availability (working hours, busy signals and abuse limits: how often anyone
may ask or be asked), intents.

May import: the standard library, third-party libraries, `config` and `bot.domain`. Never `storage`,
`bot.runtime`, `bot.services`, `bot.entrypoints` or `handlers` (`lint-imports` checks it).
"""
