"""The closed sets of option values, as types: Typer lists them in ``--help`` and checks them
before a command runs.

Each option gets its parser from :func:`choice` (one value) or :func:`choice_list` (a comma-
separated list such as ``--formats html,pdf``), so a wrong value is refused with a sentence
that names the option and its choices in the user's language. The values mirror constants
of the services and analyses (``tests/cli/test_cli_app.py`` checks that they agree); they are
repeated here because importing those modules would load pandas just to print ``--help``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import typer

from khooshe.cli._common import alternatives, text
from khooshe.domain.parsing import split_list
from khooshe.domain.schema import LOAD_ORDER
from khooshe.domain.vocab import REGION_LEVELS

E = TypeVar("E", bound=StrEnum)


class Lang(StrEnum):
    fa = "fa"
    en = "en"


class Presence(StrEnum):
    """``khooshe.analysis.complexity_core.PRESENCE_TESTS``."""

    rca = "rca"
    rpop = "rpop"
    both = "both"
    manual = "manual"


class ComplexityLevel(StrEnum):
    """``khooshe.services.complexity.LEVELS``: villages are too small for RCA."""

    province = "province"
    county = "county"


class StrengthLevel(StrEnum):
    province = "province"
    county = "county"
    village = "village"


class HotspotLevel(StrEnum):
    county = "county"
    village = "village"


class Measure(StrEnum):
    """``khooshe.services.frames.MEASURES``."""

    employment = "employment"
    establishments = "establishments"


class SpecTable(StrEnum):
    """``khooshe.services.specialization.TABLES``."""

    strength = "strength"
    regions = "regions"
    activities = "activities"


class TradeFormat(StrEnum):
    """``khooshe.io.trade.TradeFormat``."""

    auto = "auto"
    baci = "baci"
    comtrade = "comtrade"
    flows = "flows"


class Flow(StrEnum):
    X = "X"
    M = "M"


class EngineKind(StrEnum):
    """``khooshe.services.engine.ENGINES``."""

    local = "local"
    dask = "dask"


class Objective(StrEnum):
    jobs = "jobs"
    weighted = "weighted"


class Scale(StrEnum):
    small = "small"
    national = "national"


class PlanFormat(StrEnum):
    """``khooshe.services.plan.FORMATS``."""

    html = "html"
    xlsx = "xlsx"
    pdf = "pdf"


class PlanSection(StrEnum):
    """``khooshe.services.plan.SECTIONS``, in their order in the plan."""

    summary = "summary"
    profile = "profile"
    specialisation = "specialisation"
    complexity = "complexity"
    villages = "villages"
    markets = "markets"
    portfolio = "portfolio"
    supply_chain = "supply_chain"
    programme = "programme"
    appendix = "appendix"


# The members below come from the schema, which mypy's Enum() support cannot read (it
# wants literal members): hence type: ignore[misc] on each.
#: Region levels of the schema (``--level`` of boundaries).
RegionLevel = StrEnum("RegionLevel", [(v, v) for v in REGION_LEVELS])  # type: ignore[misc]
#: What ``import`` and ``export`` move: the schema's entities in load order, and boundaries.
DataKind = StrEnum("DataKind", [(k, k) for k in (*LOAD_ORDER, "boundaries")])  # type: ignore[misc]
#: What ``template`` writes: the schema's entities.
TemplateKind = StrEnum("TemplateKind", [(k, k) for k in LOAD_ORDER])  # type: ignore[misc]


class ChoiceError(typer.BadParameter):
    """A value outside an option's choices; the message already names the option."""

    def format_message(self) -> str:
        return self.message


def choice(kind: type[E], option: str, message: str = "choice.invalid"
           ) -> Callable[[object], E]:
    """The parser of an option whose value is one of ``kind`` (case is ignored).

    ``message`` is the catalogue key (under ``cli.``) of the refusal; it may use ``option``,
    ``value``, ``choices`` (``a, b or c``) and ``listed`` (``a, b, c``).
    """
    by_name = {m.value.casefold(): m for m in kind}

    def parse(value: object) -> E:
        if isinstance(value, kind):
            return value
        found = by_name.get(str(value).strip().casefold())
        if found is None:
            values = [m.value for m in kind]
            raise ChoiceError(text(message, option=option, value=str(value),
                                   choices=alternatives(values),
                                   listed=text("words.comma").join(values)))
        return found

    return parse


def choice_list(kind: type[E], option: str) -> Callable[[object], tuple[E, ...]]:
    """The parser of a comma-separated list of ``kind`` values (duplicates dropped)."""
    one = choice(kind, option)

    def parse(value: object) -> tuple[E, ...]:
        if isinstance(value, tuple):
            return value
        items = split_list(str(value))
        known = {m.value.casefold() for m in kind}
        unknown = [i for i in items if i.casefold() not in known]
        if unknown or not items:
            comma = text("words.comma")
            raise ChoiceError(text("choice.list_invalid", option=option,
                                   unknown=comma.join(unknown) or repr(str(value)),
                                   choices=comma.join(m.value for m in kind)))
        return tuple(dict.fromkeys(one(i) for i in items))

    return parse


__all__ = [
    "ChoiceError",
    "ComplexityLevel",
    "DataKind",
    "Flow",
    "HotspotLevel",
    "Lang",
    "Measure",
    "Objective",
    "PlanFormat",
    "PlanSection",
    "Presence",
    "RegionLevel",
    "Scale",
    "SpecTable",
    "StrengthLevel",
    "TemplateKind",
    "TradeFormat",
    "choice",
    "choice_list",
]
