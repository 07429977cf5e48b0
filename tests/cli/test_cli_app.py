"""The app as a whole: help in both languages, the language chosen before the app is built,
the option types agreeing with the services, and a light ``--help``."""

from __future__ import annotations

import re
import subprocess
import sys
import typing

import pytest
import typer
from typer.testing import CliRunner

from khooshe.cli import _choices as choices
from khooshe.cli import build_app, language_from_args, main

PERSIAN = re.compile(r"[\u0600-\u06ff]")


def _commands(language: str):
    """Every command by name; a group's sub-commands as «group sub»."""
    out = {}
    for name, cmd in typer.main.get_command(build_app(language)).commands.items():
        out[name] = cmd
        for sub, sub_cmd in getattr(cmd, "commands", {}).items():
            out[f"{name} {sub}"] = sub_cmd
    return out


@pytest.mark.parametrize("args, expected", [
    ([], None), (["--lang", "fa", "--help"], "fa"), (["--help", "--lang=en"], "en"),
    (["--lang", "de", "info"], None), (["info", "--lang", "fa"], None),
    (["plan", "ws", "--lang", "en"], None), (["--lang"], None),
])
def test_language_from_args_reads_only_what_precedes_the_command(args, expected):
    assert language_from_args(args) == expected


def test_every_command_and_parameter_has_help_in_both_languages():
    en, fa = _commands("en"), _commands("fa")
    assert list(en) == list(fa) == [
        "init", "info", "migrate", "backup", "restore", "import", "export", "template", "demo",
        "complexity", "proximity", "specialize", "hotspots", "candidates", "villages",
        "portfolio", "markets", "supply-chain", "plan", "serve", "cluster", "cluster advance",
        "cluster timeline", "cluster targets", "cluster members",
        "cluster activities", "cluster add-activity", "cluster record-period", "proposals",
        "proposals propose", "proposals decide", "proposals progress", "committee",
        "committee meeting", "committee decide", "committee follow-up", "committee board",
        "committee report", "funds", "funds commit", "funds disburse", "funds balance",
        "units", "units report", "units list", "projects", "projects delays", "users",
        "users add", "users token", "users list",
        "users disable", "users reset-password"]
    for name in en:
        assert en[name].help and PERSIAN.search(fa[name].help), name
        assert not PERSIAN.search(en[name].help.replace("خوشه", "")), name
        for p_en, p_fa in zip(en[name].params, fa[name].params, strict=True):
            assert p_en.help and p_fa.help and p_en.help != p_fa.help, (name, p_en.name)


def test_persian_help_through_main(capsys, monkeypatch):
    monkeypatch.delenv("KHOOSHE_LANG", raising=False)
    with pytest.raises(SystemExit) as done:
        main(["--lang", "fa", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "کاربرد:" in out and "فرمان‌ها" in out and "گزینه‌ها" in out
    assert "یک فضای کار خالی می‌سازد" in out and "Create an empty workspace" not in out


def test_environment_chooses_the_help_language(capsys, monkeypatch):
    monkeypatch.setenv("KHOOSHE_LANG", "fa")
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "همهٔ مشکل‌های یافته‌شده" in out  # --errors
    assert "[پیش‌فرض: county]" in out and "[الزامی]" in out
    # Typer's own words are back to English afterwards
    result = CliRunner().invoke(build_app("en"), ["import", "--help"])
    assert "[default: county]" in result.output and "Arguments" in result.output


def test_kind_choices_come_from_the_schema():
    from khooshe.domain.schema import LOAD_ORDER

    assert [k.value for k in choices.DataKind] == [*LOAD_ORDER, "boundaries"]
    assert [k.value for k in choices.TemplateKind] == list(LOAD_ORDER)
    kind = next(p for p in _commands("en")["import"].params if p.name == "kind")
    assert ", ".join(LOAD_ORDER) in kind.help and "boundaries" in kind.help


def test_option_types_agree_with_the_services():
    from khooshe.analysis.complexity_core import PRESENCE_TESTS
    from khooshe.domain.trade import DEFAULT_MARKETS
    from khooshe.domain.vocab import REGION_LEVELS
    from khooshe.io.trade import TradeFormat
    from khooshe.services import plan
    from khooshe.services.complexity import LEVELS
    from khooshe.services.engine import ENGINES
    from khooshe.services.frames import MEASURES
    from khooshe.services.specialization import TABLES
    from khooshe.text.digits import LANGS

    def values(kind):
        return tuple(m.value for m in kind)

    assert values(choices.Presence) == PRESENCE_TESTS
    assert values(choices.ComplexityLevel) == LEVELS
    assert values(choices.Measure) == MEASURES
    assert values(choices.EngineKind) == ENGINES
    assert values(choices.SpecTable) == TABLES
    assert values(choices.TradeFormat) == typing.get_args(TradeFormat)
    assert values(choices.PlanFormat) == plan.FORMATS
    assert values(choices.PlanSection) == plan.SECTIONS
    assert values(choices.RegionLevel) == REGION_LEVELS
    assert values(choices.Lang) == LANGS
    assert set(values(choices.StrengthLevel)) <= set(REGION_LEVELS)
    assert set(values(choices.HotspotLevel)) <= set(REGION_LEVELS)
    # the default markets are written out in the help texts
    for language in ("en", "fa"):
        for name in ("markets", "plan"):
            option = next(p for p in _commands(language)[name].params if p.name == "markets")
            assert ",".join(DEFAULT_MARKETS) in option.help


def test_choices_are_listed_in_help_and_refused_in_the_users_language(invoke):
    result = CliRunner().invoke(build_app("en"), ["complexity", "--help"])
    assert "rca|rpop|both|manual" in result.output and "province|county" in result.output
    result = invoke("--lang", "fa", "demo", "ws", "--scale", "huge")
    assert result.exit_code == 2
    assert "--scale باید small یا national باشد، نه 'huge'" in result.output


def test_help_does_not_load_heavy_libraries():
    # (pydantic is not listed: Typer itself converts option values with it)
    code = ("import sys\nfrom khooshe.cli import main\n"
            "try:\n    main(['--lang', 'fa', 'markets', '--help'])\n"
            "except SystemExit:\n    pass\n"
            "heavy = [m for m in ('pandas', 'numpy', 'sqlalchemy', 'plotly', 'scipy', 'duckdb',"
            " 'weasyprint', 'dask', 'distributed') if m in sys.modules]\nprint('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "HEAVY []" in out


def test_the_top_level_help_loads_no_numerical_library():
    """``khooshe --help`` and a command's help stay quick: no pandas, NumPy, SciPy or pyarrow
    until a command runs (the heavy imports are inside the commands)."""
    code = ("import sys\nfrom khooshe.cli import main\n"
            "for args in (['--help'], ['complexity', '--help']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'pyarrow') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "HEAVY []" in out
