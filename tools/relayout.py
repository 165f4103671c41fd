"""Lay bot/ and handlers/ out in packages by role, and rewrite every reference to a module that moved.

    python tools/relayout.py

Re-runnable and idempotent: a module already in its place is left alone, and a second run changes nothing. It
applies to whatever tree it runs in, so other branches can be merged first and the script run on the result:
- `git mv`s each module of MOVES (and each data file of DATA) to its new path, creating the packages of PACKAGES
  with an `__init__.py` that says what the package holds and what it may import;
- rewrites every reference to a moved module in every tracked text file: `from bot.x import ...`,
  `from bot import x`, `import bot.x`, dotted paths in strings, comments and docs (`bot.x.Name`, `python -m bot.cli`,
  monkeypatch targets, pyproject's entry point) and file paths (`bot/x.py`);
- renames `UnitOfWork.session` (the SQLAlchemy session) to `db_session`, so it no longer sits next to
  `uow.sessions` (the flash sessions' repository);
- edits pyproject.toml (setuptools' package list and package data, the import-linter dev dependency and its
  contracts) and the Makefile (`make lint` runs `lint-imports`);
- sorts and formats the imports of the Python files it changed (ruff, when it is installed);
- prints the imports that go against the layers, if any are left.

It stops before changing anything when bot/ or handlers/ holds a module the table does not know (a module added
on another branch): add it to MOVES, in the package its imports and its job call for, and run it again.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("bot", "handlers")  # folders whose top level must hold nothing but the table's modules and packages

# The table: every module at the top of bot/ and handlers/, and where it goes (paths from the repository root,
# without `.py`). A module goes by what it does and what it imports, so that the layers hold (see PACKAGES).
MOVES: dict[str, str] = {
    # bot/domain: rules with no I/O: reading a topic, skills, hours, durations, signals, limits, wording.
    "bot/abuse_limits": "bot/domain/abuse_limits",
    "bot/availability": "bot/domain/availability",
    "bot/calendar_feed": "bot/domain/calendar_feed",
    "bot/durations": "bot/domain/durations",
    "bot/embedding": "bot/domain/embedding",
    "bot/event_kinds": "bot/domain/event_kinds",
    "bot/evidence": "bot/domain/evidence",
    "bot/hours": "bot/domain/hours",
    "bot/intents": "bot/domain/intents",
    "bot/matching": "bot/domain/matching",
    "bot/similarity": "bot/domain/similarity",
    "bot/skill_aliases": "bot/domain/skill_aliases",
    "bot/skill_knowledge": "bot/domain/skill_knowledge",  # reads skill_knowledge.yaml beside it (DATA)
    "bot/skills": "bot/domain/skills",
    "bot/specificity": "bot/domain/specificity",
    "bot/stemming": "bot/domain/stemming",
    "bot/understanding": "bot/domain/understanding",
    "bot/wording": "bot/domain/wording",
    # bot/services: what Burst does, over units of work.
    "bot/requests": "bot/services/asking",  # was named like the HTTP library
    "bot/services": "bot/services/container",  # the `Services` one process runs with; its old name is the package's
    "bot/routing": "bot/services/routing",  # pure, but ranks storage's CandidateRow (a row holding a Member)
    "bot/screening": "bot/services/screening",
    "bot/shortlist": "bot/services/shortlist",
    "bot/topic_reading": "bot/services/topic_reading",
    "bot/sessions": "bot/services/sessions",
    "bot/followups": "bot/services/followups",
    "bot/profiles": "bot/services/profiles",
    "bot/overview": "bot/services/overview",
    "bot/calendars": "bot/services/calendars",
    "bot/calendar_fetch": "bot/services/calendar_fetch",
    "bot/calendar_secret": "bot/services/calendar_secret",
    "bot/digest": "bot/services/digest",
    "bot/digest_chart": "bot/services/digest_chart",
    "bot/directory_sync": "bot/services/directory_sync",
    "bot/privacy": "bot/services/privacy",
    "bot/importer": "bot/services/importer",
    "bot/export": "bot/services/export",
    # bot/runtime: the machinery work runs on.
    "bot/timers": "bot/runtime/timers",
    "bot/timer_kinds": "bot/runtime/timer_kinds",  # each timer and owed message, typed; read by services and timers
    "bot/ports": "bot/runtime/ports",  # the outbox and Slack ports; timers read its `redelivering`
    "bot/work_gate": "bot/runtime/work_gate",
    "bot/deliveries": "bot/runtime/delivery_ledger",  # one of three deliveries.py
    "bot/logs": "bot/runtime/logs",
    "bot/metrics": "bot/runtime/metrics",
    # bot/entrypoints: how a process starts, and what only a person at a terminal uses.
    "bot/app": "bot/entrypoints/app",
    "bot/cli": "bot/entrypoints/cli",
    "bot/server": "bot/entrypoints/server",
    "bot/http_guard": "bot/entrypoints/http_guard",
    "bot/demo": "bot/entrypoints/demo",
    "bot/demo_workspace": "bot/entrypoints/demo_workspace",
    "bot/local_slack": "bot/entrypoints/local_slack",  # the npm installer of the Slack emulator `burst demo` runs
    "bot/digest_cli": "bot/entrypoints/digest_cli",
    "bot/install_report": "bot/entrypoints/install_report",
    # handlers/listeners: what Slack calls, one module per surface.
    "handlers/actions": "handlers/listeners/actions",
    "handlers/commands": "handlers/listeners/commands",
    "handlers/calendar_replies": "handlers/listeners/calendar_replies",
    "handlers/feedback": "handlers/listeners/feedback",
    "handlers/home": "handlers/listeners/home",
    "handlers/home_signals": "handlers/listeners/home_signals",
    "handlers/messages": "handlers/listeners/messages",
    "handlers/modals": "handlers/listeners/modals",
    # handlers/parsing: what people type, read.
    "handlers/command_parser": "handlers/parsing/command_parser",
    "handlers/clean_text": "handlers/parsing/clean_text",
    # handlers/views: what people see.
    "handlers/blocks": "handlers/views/blocks",
    "handlers/digest_blocks": "handlers/views/digest_blocks",
    "handlers/asking": "handlers/views/ask_replies",  # not to be confused with bot/services/asking
    "handlers/profile_text": "handlers/views/profile_text",
    "handlers/signal_text": "handlers/views/signal_text",
    "handlers/status_text": "handlers/views/status_text",
    # handlers/slack: Slack itself: Bolt, the Web API, mrkdwn, scopes.
    "handlers/slack_gateway": "handlers/slack/gateway",
    "handlers/slack_signals": "handlers/slack/signals",
    "handlers/slack_scopes": "handlers/slack/scopes",
    "handlers/install_check": "handlers/slack/install_check",
    "handlers/acks_first": "handlers/slack/acks_first",
    "handlers/gated_io": "handlers/slack/gated_io",
    "handlers/deliveries": "handlers/slack/delivery_claim",  # one of three deliveries.py
    "handlers/mrkdwn": "handlers/slack/mrkdwn",
    # storage keeps its layout; only the third deliveries.py gets a name of its own.
    "storage/repositories/deliveries": "storage/repositories/slack_deliveries",
}

# Data files that move with the module that reads them (skill_knowledge.py: Path(__file__).with_name(...)).
DATA: dict[str, str] = {
    "bot/skill_knowledge.yaml": "bot/domain/skill_knowledge.yaml",
}

# Each new package and the docstring of its __init__.py: what it holds, and what it may import.
PACKAGES: dict[str, str] = {
    "bot/domain": """
Burst's rules, with no I/O: reading a topic (matching, understanding, evidence, embeddings),
skills and their aliases, working hours, durations, availability signals, intents, abuse limits, wording.

May import: the standard library, third-party libraries, `config` and `bot.domain`. Never `storage`,
`bot.runtime`, `bot.services`, `bot.entrypoints` or `handlers` (`lint-imports` checks it).
""",
    "bot/runtime": """
The machinery work runs on: durable timers and the messages a step owes (`timers`), the ports
services talk to Slack and to the timers through (`ports`), one piece of work at a time (`work_gate`), each
Slack delivery acted on once (`delivery_ledger`), logs and metrics.

May import: `bot.domain`, `storage` and `config`. Never `bot.services`, `handlers` or `bot.entrypoints`.
""",
    "bot/services": """
What Burst does, each step one unit of work: asking and its waves (`asking`, `shortlist`,
`routing`, `screening`, `topic_reading`), sessions, follow-ups, profiles, calendars, the digest, directory sync,
privacy, import and export; `container.Services` is the set one process runs with.

May import: `bot.domain`, `bot.runtime`, `storage` and `config`. Never `handlers` or `bot.entrypoints`: services
reach Slack only through the ports in `bot.runtime.ports`.
""",
    "bot/entrypoints": """
How Burst starts: one process's wiring (`app`), the `burst` command line (`cli`), the server
(`server`, `http_guard`), the demo and the local Slack it runs (`demo`, `demo_workspace`, `local_slack`), and
the reports printed at a terminal (`digest_cli`, `install_report`).

May import anything. Nothing imports it but tests, benchmarks and tools.
""",
    "handlers/listeners": """
Slack's listeners, one module per surface, each with a `register`: ack, claim the delivery,
parse, call a service, answer.

May import: the rest of `handlers`, `bot.services`, `bot.runtime`, `bot.domain`, `storage` and `config`. Never
`bot.entrypoints`; nothing else in `handlers` imports it.
""",
    "handlers/parsing": """
What people type, read into typed values: `/burst` commands (`command_parser`), and text made
storable (`clean_text`).

May import: `handlers.slack` (mrkdwn), `bot.domain` and `storage`. Never `handlers.listeners` or
`bot.entrypoints`.
""",
    "handlers/views": """
What people see: the Block Kit of messages and the App Home, and the replies in words.

May import: `handlers.slack` (mrkdwn), `bot.services` and `bot.domain` (the values shown), `storage` and
`config`. Never `handlers.listeners` or `bot.entrypoints`.
""",
    "handlers/slack": """
Slack itself: the Web API behind the ports (`gateway`), the scopes and rate-limit Tiers Burst
needs (`scopes`, `install_check`), Slack's availability signals (`signals`), mrkdwn (`mrkdwn`), Bolt answering
at the ack (`acks_first`), Web API calls that give up their work slot while they wait (`gated_io`), and each
delivery's claim (`delivery_claim`).

May import: `handlers.views`, `bot.services`, `bot.runtime`, `bot.domain`, `storage` and `config`. Never
`handlers.listeners` or `bot.entrypoints`.
""",
}


def init_text(docstring: str) -> str:
    return '"""' + docstring.strip("\n") + '\n"""\n'


# Which package may import which, for the report at the end (lint-imports enforces the same in `make lint`).
LAYERS: dict[str, frozenset[str]] = {
    "bot.domain": frozenset({"bot.domain", "config"}),
    "bot.runtime": frozenset({"bot.domain", "bot.runtime", "storage", "config"}),
    "bot.services": frozenset({"bot.domain", "bot.runtime", "bot.services", "storage", "config"}),
    "handlers": frozenset({"bot.domain", "bot.runtime", "bot.services", "handlers", "storage", "config"}),
    "bot.entrypoints": frozenset(
        {"bot.domain", "bot.runtime", "bot.services", "bot.entrypoints", "handlers", "storage", "config"}
    ),
    "storage": frozenset({"storage"}),
}
LISTENERS_ONLY_FROM = "handlers.listeners"  # imported by no other part of handlers

IMPORT_LINTER = """
[tool.importlinter]
root_packages = ["bot", "handlers", "storage", "config"]

[[tool.importlinter.contracts]]
name = "Layers point one way: entry points, Slack handlers, services, runtime, domain"
type = "layers"
layers = ["bot.entrypoints", "handlers", "bot.services", "bot.runtime", "bot.domain"]

[[tool.importlinter.contracts]]
name = "The domain's rules do no I/O: no storage"
type = "forbidden"
source_modules = ["bot.domain"]
forbidden_modules = ["storage"]

[[tool.importlinter.contracts]]
name = "Storage knows nothing of what uses it"
type = "forbidden"
source_modules = ["storage"]
forbidden_modules = ["bot", "handlers"]

[[tool.importlinter.contracts]]
name = "Only the listeners know the listeners"
type = "forbidden"
source_modules = ["handlers.parsing", "handlers.views", "handlers.slack"]
forbidden_modules = ["handlers.listeners"]
"""
IMPORT_LINTER_DEPENDENCY = (
    '    "import-linter>=2.16,<3",  # `lint-imports` in `make lint`: the packages of bot/ and handlers/ point one way'
)


class LayoutError(Exception):
    """Something the script will not guess about: it stops, and says what to do."""


def dotted(path: str) -> str:
    return path.replace("/", ".")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


# ---------------------------------------------------------------------------------------------------------------
# Moving


def unknown_entries() -> list[str]:
    """What sits at the top of bot/ or handlers/ that the table does not place."""
    known_packages = {Path(p).name for p in PACKAGES}
    unknown: list[str] = []
    for folder in SCANNED:
        for child in sorted((ROOT / folder).iterdir()):
            name = child.name
            rel = f"{folder}/{name}"
            if name in ("__init__.py", "__pycache__") or name.startswith("."):
                continue
            if child.is_dir():
                if name not in known_packages and any(child.rglob("*.py")):
                    unknown.append(rel + "/")
            elif child.suffix == ".py":
                if rel.removesuffix(".py") not in MOVES:
                    unknown.append(rel)
            elif child.suffix != ".pyc" and rel not in DATA:
                unknown.append(rel)
    return unknown


def pending_moves() -> list[tuple[str, str]]:
    """(old, new) file paths still to move; raises when a file is at both places."""
    moves: list[tuple[str, str]] = []
    pairs = [(f"{old}.py", f"{new}.py") for old, new in MOVES.items()] + list(DATA.items())
    for old, new in pairs:
        at_old, at_new = (ROOT / old).exists(), (ROOT / new).exists()
        if at_old and at_new:
            raise LayoutError(f"both {old} and {new} exist: merge them by hand, then run this again")
        if at_old:
            moves.append((old, new))
        elif not at_new:
            print(f"note: neither {old} nor {new} exists (deleted on a branch?): drop it from the table")
    return moves


def create_packages() -> list[Path]:
    created: list[Path] = []
    for package, docstring in PACKAGES.items():
        init = ROOT / package / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(init_text(docstring), encoding="utf-8")
            created.append(init)
    return created


# ---------------------------------------------------------------------------------------------------------------
# Rewriting references


@dataclass(frozen=True)
class Names:
    old: dict[str, str]  # dotted module -> its new dotted name
    new: frozenset[str]  # every dotted module and package of the new layout

    @classmethod
    def now(cls) -> Names:
        new = {dotted(p) for p in PACKAGES} | {dotted(n) for n in MOVES.values()}
        for package in PACKAGES:  # modules added to a package after the move are new names too
            new |= {f"{dotted(package)}.{f.stem}" for f in (ROOT / package).glob("*.py") if f.stem != "__init__"}
        return cls(old={dotted(o): dotted(n) for o, n in MOVES.items()}, new=frozenset(new))

    def moved(self, name: str) -> str | None:
        """The new name of a dotted path to a module or to something in it; None when it did not move.

        The longest known prefix decides, so `bot.services.asking` (new) stays while `bot.services.Services` (the
        old module `bot.services`) moves; a bare `bot.services` names the package now, so it stays too.
        """
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            prefix, rest = ".".join(parts[:end]), parts[end:]
            if prefix in self.old:
                if prefix in self.new and not rest:
                    return None
                return ".".join([self.old[prefix], *rest])
            if prefix in self.new:
                return None
        return None


ROOTS = "bot|handlers|storage"
DOTTED = re.compile(rf"(?<![\w.])(?:{ROOTS})(?:\.\w+)+")
FILE_PATH = re.compile(rf"(?<![\w.])(?:{ROOTS})(?:/\w+)+\.(?:py|yaml)\b")
UOW_SESSION = re.compile(r"\buow\.session\b")


def rewrite_text(text: str, names: Names) -> str:
    def dotted_path(match: re.Match[str]) -> str:
        return names.moved(match[0]) or match[0]

    def file_path(match: re.Match[str]) -> str:
        path = match[0]
        if path in DATA:
            return DATA[path]
        stem, _, suffix = path.rpartition(".")
        new = names.moved(dotted(stem)) if suffix == "py" else None
        return f"{new.replace('.', '/')}.py" if new else path

    return FILE_PATH.sub(file_path, DOTTED.sub(dotted_path, text))


def import_from(node: ast.ImportFrom, names: Names) -> list[str] | None:
    """`from M import a, b as c` with moved modules, as the statements it becomes; None when nothing moved."""
    assert node.module is not None
    groups: dict[str, list[str]] = {}
    changed = False
    for alias in node.names:
        full = f"{node.module}.{alias.name}"
        as_written = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
        target = names.moved(full)
        if full in names.old and full in names.new:
            raise LayoutError(f"`from {node.module} import {alias.name}`: the old module or the new package?")
        if target is None:
            groups.setdefault(node.module, []).append(as_written)
        elif full in names.old:  # a module imported by name: `from bot import requests as req`
            module, _, leaf = target.rpartition(".")
            local = alias.asname or alias.name
            groups.setdefault(module, []).append(leaf if local == leaf else f"{leaf} as {local}")
            changed = True
        else:  # a name from a module that moved: `from bot.requests import RequestService`
            groups.setdefault(target.rpartition(".")[0], []).append(as_written)
            changed = True
    if not changed:
        return None
    return [f"from {module} import {', '.join(imported)}" for module, imported in groups.items()]


def import_plain(node: ast.Import, names: Names) -> list[str] | None:
    parts: list[str] = []
    changed = False
    for alias in node.names:
        if alias.name in names.old and alias.name in names.new:
            raise LayoutError(f"`import {alias.name}`: the old module or the new package?")
        name = names.moved(alias.name) or alias.name
        changed |= name != alias.name
        parts.append(name if alias.asname is None else f"{name} as {alias.asname}")
    return [f"import {', '.join(parts)}"] if changed else None


def rewrite_python(text: str, names: Names, where: str) -> str:
    """Import statements through the AST (they may need splitting), everything else as text."""
    tree = ast.parse(text, filename=where)
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:  # ast columns count UTF-8 bytes
        return starts[line - 1] + len(text[starts[line - 1] : starts[line]].encode()[:col].decode())

    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        assert node.end_lineno is not None
        assert node.end_col_offset is not None
        start, end = offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)
        if isinstance(node, ast.ImportFrom) and (node.level or node.module is None):
            if where.startswith(SCANNED):
                raise LayoutError(f"{where}:{node.lineno}: a relative import; make it absolute before moving")
            edits.append((start, end, text[start:end]))
            continue
        statements = import_from(node, names) if isinstance(node, ast.ImportFrom) else import_plain(node, names)
        if statements is None:
            edits.append((start, end, text[start:end]))
            continue
        indent = text[starts[node.lineno - 1] : start]
        if "#" in text[start:end] or (len(statements) > 1 and indent.strip()):
            raise LayoutError(f"{where}:{node.lineno}: rewrite this import by hand ({' / '.join(statements)})")
        edits.append((start, end, ("\n" + indent).join(statements)))

    out: list[str] = []
    done = 0
    for start, end, replacement in sorted(edits):
        out.append(rewrite_text(text[done:start], names))
        out.append(replacement)
        done = end
    out.append(rewrite_text(text[done:], names))
    return "".join(out)


LIMIT = 120  # ruff's line-length
PRAGMA = re.compile(r"#\s*(noqa|type:|pragma|fmt:)")
LIST_ITEM = re.compile(r"(-|\*|\d+\.)\s")
QUOTES = ('"""', "'''", ">>>")


def fit(text: str) -> str:
    """Comments and docstrings that a longer module name pushed past the line length, wrapped.

    ruff format wraps code but not prose. A trailing comment goes on lines of its own above its code; the words that
    overflow a docstring's or a comment's line join the next line of the same paragraph, or start a line of their
    own. Other strings are left to ruff format: their whitespace is their value.
    """
    lines = text.splitlines()
    if all(len(line) <= LIMIT for line in lines):
        return text
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.COMMENT)]
    starts = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    spans: list[tuple[int, int, bool]] = []  # (first row, last row or column, is a docstring)
    for i, token in enumerate(significant):
        before = significant[i - 1] if i else None
        after = significant[i + 1] if i + 1 < len(significant) else None
        if (
            token.type == tokenize.STRING
            and (before is None or before.type in starts)
            and (after is None or after.type in (tokenize.NEWLINE, tokenize.ENDMARKER))
        ):
            spans.append((token.start[0], token.end[0], True))
    spans += [(t.start[0], t.start[1], False) for t in tokens if t.type == tokenize.COMMENT]
    for first, other, is_docstring in sorted(spans, reverse=True):  # bottom up: inserted lines move none above
        if is_docstring:
            wrap_docstring(lines, first, other)
        else:
            wrap_comment(lines, first, other)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def continues(line: str, indent: str) -> bool:
    """Whether a line carries on the paragraph above it, so that overflowing words can join it."""
    body = line.strip()
    return bool(body) and line.startswith(indent) and not LIST_ITEM.match(body) and not body.startswith(QUOTES)


def wrap_docstring(lines: list[str], first: int, last: int) -> None:
    row = first
    while row <= last:
        line = lines[row - 1]
        indent = leading(lines[first - 1] if row == first else line)
        if LIST_ITEM.match(line.strip()):
            indent += "  "
        at = line.rfind(" ", 0, LIMIT + 1)
        if len(line) <= LIMIT or at <= len(indent) + 4:
            row += 1
            continue
        lines[row - 1], tail = line[:at].rstrip(), line[at + 1 :].strip()
        if row < last and continues(lines[row], indent):
            lines[row] = leading(lines[row]) + tail + " " + lines[row].lstrip()
        else:
            lines.insert(row, indent + tail)
            last += 1
        row += 1


def wrap_comment(lines: list[str], row: int, col: int) -> None:
    line = lines[row - 1]
    if len(line) <= LIMIT or PRAGMA.search(line[col:]):
        return
    code, indent = line[:col].rstrip(), leading(line)
    words = line[col:].lstrip("#").strip()
    width = LIMIT - len(indent) - 2
    wrapped = textwrap.wrap(words, width, break_long_words=False, break_on_hyphens=False)
    following = lines[row] if row < len(lines) else ""
    if not code and len(wrapped) < 2:
        return  # one long word: nowhere to break
    if not code and following.startswith(indent + "#") and continues(following.strip().lstrip("#"), ""):
        # The overflow joins the comment's next line, which is wrapped in its turn.
        lines[row - 1] = f"{indent}# {wrapped[0]}"
        lines[row] = f"{indent}# {' '.join(wrapped[1:])} {following.strip().lstrip('#').strip()}"
        wrap_comment(lines, row + 1, len(indent))
        return
    lines[row - 1 : row] = [f"{indent}# {part}" for part in wrapped] + ([code] if code else [])


def tracked_text_files() -> Iterator[Path]:
    this = Path(__file__).resolve()
    for name in git("ls-files", "-z").split("\0"):
        path = ROOT / name
        if name and path.is_file() and path.resolve() != this:
            yield path


def rewrite_references(names: Names) -> list[Path]:
    changed: list[Path] = []
    for path in tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a picture
        rel = path.relative_to(ROOT).as_posix()
        new = rewrite_python(text, names, rel) if path.suffix == ".py" else rewrite_text(text, names)
        new = UOW_SESSION.sub("uow.db_session", new)
        if rel == "storage/unit_of_work.py":  # the attribute itself
            new = re.sub(r"\bself\.session\b", "self.db_session", new)
            new = re.sub(r"^(\s+)session: AsyncSession$", r"\1db_session: AsyncSession", new, flags=re.MULTILINE)
        if path.suffix == ".py" and new != text:
            new = fit(new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


# ---------------------------------------------------------------------------------------------------------------
# pyproject.toml and the Makefile


def toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def with_packages(pyproject: str) -> str:
    """setuptools' explicit package list, with each new package after its parent's last entry."""
    match = re.search(r"^packages = \[(.*?)\]", pyproject, flags=re.MULTILINE | re.DOTALL)
    if match is None:
        raise LayoutError("pyproject.toml: no `packages = [...]` under [tool.setuptools]")
    packages = re.findall(r'"([^"]+)"', match[1])
    for package in map(dotted, PACKAGES):
        if package in packages:
            continue
        parent = package.split(".")[0]
        family = [i for i, p in enumerate(packages) if p == parent or p.startswith(parent + ".")]
        packages.insert(family[-1] + 1 if family else len(packages), package)
    line = f"packages = {toml_list(packages)}"
    if len(line) > 120:
        line = "packages = [\n" + "".join(f'    "{p}",\n' for p in packages) + "]"
    return pyproject[: match.start()] + line + pyproject[match.end() :]


def with_package_data(pyproject: str) -> str:
    """Each moved data file listed under the package it now sits in."""
    for old, new in DATA.items():
        old_package, name = dotted(old.rpartition("/")[0]), old.rpartition("/")[2]
        new_package = dotted(new.rpartition("/")[0])
        for package, add in ((old_package, False), (new_package, True)):
            key = re.escape(package) if "." not in package else f'"{re.escape(package)}"'
            entry = re.search(rf"^{key} = \[(.*)\]\n", pyproject, flags=re.MULTILINE)
            files = re.findall(r'"([^"]+)"', entry[1]) if entry else []
            wanted = sorted({*files, name}) if add else [f for f in files if f != name]
            if wanted == files:
                continue
            quoted = package if "." not in package else f'"{package}"'
            line = f"{quoted} = {toml_list(wanted)}\n" if wanted else ""
            if entry is not None:
                pyproject = pyproject[: entry.start()] + line + pyproject[entry.end() :]
            else:
                section = re.search(r"^\[tool\.setuptools\.package-data\]\n", pyproject, flags=re.MULTILINE)
                if section is None:
                    raise LayoutError("pyproject.toml: no [tool.setuptools.package-data] for " + new)
                pyproject = pyproject[: section.end()] + line + pyproject[section.end() :]
    return pyproject


def with_import_linter(pyproject: str) -> str:
    if "import-linter" not in pyproject:
        dev = re.search(r"^dev = \[\n(?:    .*\n)*?(?=\])", pyproject, flags=re.MULTILINE)
        if dev is None:
            raise LayoutError("pyproject.toml: no `dev = [...]` extra to add import-linter to")
        pyproject = pyproject[: dev.end()] + IMPORT_LINTER_DEPENDENCY + "\n" + pyproject[dev.end() :]
    if "[tool.importlinter]" not in pyproject:
        pyproject = pyproject.rstrip("\n") + "\n" + IMPORT_LINTER
    return pyproject


def edit_build_files() -> list[Path]:
    changed: list[Path] = []
    pyproject = ROOT / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    new = with_import_linter(with_package_data(with_packages(text)))
    if new != text:
        pyproject.write_text(new, encoding="utf-8")
        changed.append(pyproject)
    makefile = ROOT / "Makefile"
    text = makefile.read_text(encoding="utf-8")
    if "lint-imports" not in text:
        new, count = re.subn(r"^(\t\$\(BIN\)/mypy\n)", "\\1\t$(BIN)/lint-imports\n", text, flags=re.MULTILINE)
        if count != 1:
            raise LayoutError("Makefile: no `$(BIN)/mypy` line in `lint` to add `$(BIN)/lint-imports` after")
        makefile.write_text(new, encoding="utf-8")
        changed.append(makefile)
    return changed


# ---------------------------------------------------------------------------------------------------------------
# Tidying and checking


def ruff(files: list[Path]) -> None:
    """Moved imports sort differently and may outgrow a line: the same fixes `make lint` asks for."""
    if not files:
        return
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        print("note: ruff not found; run `ruff check --select I --fix . && ruff format .` before committing")
        return
    names = [str(f) for f in files]
    subprocess.run([found, "check", "--quiet", "--select", "I", "--fix", *names], cwd=ROOT, check=True)
    subprocess.run([found, "format", "--quiet", *names], cwd=ROOT, check=True)


def layer_of(module: str) -> str | None:
    for layer in sorted(LAYERS, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def violations() -> list[str]:
    """Direct imports against LAYERS (lint-imports also follows indirect ones)."""
    found: list[str] = []
    for folder in (*SCANNED, "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT)
            module = dotted(rel.with_suffix("").as_posix()).removesuffix(".__init__")
            layer = layer_of(module)
            if layer is None or "migrations" in rel.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    imported = [f"{node.module}.{a.name}" for a in node.names]
                else:
                    continue
                for name in imported:
                    target = layer_of(name) or ("config" if name.split(".")[0] == "config" else None)
                    if target is not None and target not in LAYERS[layer]:
                        found.append(f"{rel}:{node.lineno}: {layer} imports {name} ({target})")
                    elif (
                        name.startswith(LISTENERS_ONLY_FROM + ".")
                        and module.startswith("handlers.")
                        and not module.startswith(LISTENERS_ONLY_FROM)
                    ):
                        found.append(f"{rel}:{node.lineno}: {module} imports {name} (a listener)")
    return found


def main() -> int:
    try:
        unknown = unknown_entries()
        if unknown:
            raise LayoutError(
                "not in the table of tools/relayout.py (add each to MOVES or DATA, then run again):\n  "
                + "\n  ".join(unknown)
            )
        moves = pending_moves()
        created = create_packages()
        for old, new in moves:
            (ROOT / new).parent.mkdir(parents=True, exist_ok=True)
            git("mv", old, new)
        if created:
            git("add", *[str(p.relative_to(ROOT)) for p in created])
        changed = rewrite_references(Names.now())
        changed += edit_build_files()
        ruff([p for p in changed if p.suffix == ".py"])
    except LayoutError as error:
        print(f"relayout: {error}", file=sys.stderr)
        return 1
    print(f"relayout: {len(moves)} files moved, {len(created)} packages created, {len(changed)} files rewritten")
    left = violations()
    if left:
        print(f"relayout: {len(left)} imports go against the layers (`make lint` fails on them):", file=sys.stderr)
        print("\n".join("  " + v for v in left), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
