"""tools/relayout.py's rewriting, on made-up modules (the real table is applied to the tree, once).

`bot.gadget` moves to `bot.domain.gadget`; `bot.kit` becomes a package whose module `box` holds what it held;
`handlers.widget` moves and is renamed `handlers.views.knob`.
"""

from __future__ import annotations

import pytest

from tools.relayout import LIMIT, LayoutError, Names, fit, rewrite_python, rewrite_text

NAMES = Names(
    old={"bot.gadget": "bot.domain.gadget", "bot.kit": "bot.kit.box", "handlers.widget": "handlers.views.knob"},
    new=frozenset(
        {"bot.domain", "bot.domain.gadget", "bot.kit", "bot.kit.box", "bot.kit.tool", "handlers.views"}
        | {"handlers.views.knob"}
    ),
)


def rewritten(source: str) -> str:
    once = rewrite_python(source, NAMES, "tests/x.py")
    assert rewrite_python(once, NAMES, "tests/x.py") == once, "a second run changed it again"
    return once


def test_modules_imported_by_name_go_to_their_packages_and_keep_their_local_names() -> None:
    assert rewritten("from bot import gadget as g, other\nfrom handlers import widget\n") == (
        "from bot.domain import gadget as g\nfrom bot import other\nfrom handlers.views import knob as widget\n"
    )


def test_a_name_from_a_module_that_became_a_package_comes_from_the_module_it_moved_to() -> None:
    assert rewritten("from bot.kit import Thing, tool\nimport bot.gadget\n") == (
        "from bot.kit.box import Thing\nfrom bot.kit import tool\nimport bot.domain.gadget\n"
    )


def test_dotted_paths_and_file_paths_in_strings_and_comments() -> None:
    source = 'patch("bot.gadget.now")  # bot/gadget.py, handlers/widget.py, bot.kit.Thing, bot.kit.tool, bot.kit\n'
    once = rewrite_text(source, NAMES)
    assert once == (
        'patch("bot.domain.gadget.now")  # bot/domain/gadget.py, handlers/views/knob.py, bot.kit.box.Thing, '
        "bot.kit.tool, bot.kit\n"
    )
    assert rewrite_text(once, NAMES) == once


def test_an_import_that_could_mean_the_old_module_or_the_new_package_stops_the_script() -> None:
    with pytest.raises(LayoutError):
        rewrite_python("from bot import kit\n", NAMES, "tests/x.py")


def test_prose_pushed_past_the_line_length_is_wrapped() -> None:
    long = "word " * 23
    source = f'def f() -> None:\n    """{long}end\n    next line."""\n    x = 1  # {long}\n'
    lines = fit(source).splitlines()
    assert all(len(line) <= LIMIT for line in lines)
    assert lines[2] == '    word end next line."""', "the overflow joins the docstring's next line"
    assert lines[3].startswith("    # word"), "the comment goes above its code"
    assert lines[-1] == "    x = 1"
