"""The trade layouts khooshe reads (TradeFormat) and TradeFileError."""

from __future__ import annotations

from typing import Literal

from khooshe.domain.errors import InputError
from khooshe.text.messages import Bilingual, Message

TradeFormat = Literal["auto", "baci", "comtrade", "flows"]
FORMATS = ("baci", "comtrade", "flows")


class TradeFileError(InputError):
    """A trade file khooshe cannot read: its layout, a value, a code."""


def either(key: str, names: tuple[str, ...]) -> Bilingual:
    """``key (a or b)``: a column wanted under any of ``names``, in both languages."""
    return Bilingual(fa=Message("trade.layout.either", {"key": key, "names": " یا ".join(names)})
                     .render("fa"),
                     en=Message("trade.layout.either", {"key": key, "names": " or ".join(names)})
                     .render("en"))

