"""How Burst starts: one process's wiring (`app`), the `burst` command line (`cli`), the server
(`server`, `http_guard`), the demo and the local Slack it runs (`demo`, `demo_workspace`, `local_slack`), and
the reports printed at a terminal (`digest_cli`, `install_report`).

May import anything. Nothing imports it but tests, benchmarks and tools.
"""
