"""Template hygiene: every ``{{ x if y }}`` has an ``else``. Without one Jinja makes an
Undefined value, raising and catching an exception each time (a list page raised ~190 of
them, about a tenth of its CPU)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import nodes

from khooshe.web.pages import environment

TEMPLATES = Path(__file__).parents[2] / "src" / "khooshe" / "web" / "templates"


def conditionals_without_else(source: str) -> list[int]:
    tree = environment().parse(source)
    return [n.lineno for n in tree.find_all(nodes.CondExpr) if n.expr2 is None]


def test_the_check_finds_a_missing_else():
    assert conditionals_without_else("{{ 'a' if x }}\n{{ 'b' if y else '' }}") == [1]


def test_every_conditional_expression_has_an_else():
    found = {p.name: conditionals_without_else(p.read_text(encoding="utf-8"))
             for p in sorted(TEMPLATES.glob("*.j2"))}
    assert len(found) >= 10
    assert {k: v for k, v in found.items() if v} == {}
