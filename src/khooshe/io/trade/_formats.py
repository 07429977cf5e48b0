"""The trade layouts khooshe reads (TradeFormat) and TradeFileError."""

from __future__ import annotations

from typing import Literal

from khooshe.domain.errors import InputError

TradeFormat = Literal["auto", "baci", "comtrade", "flows"]
FORMATS = ("baci", "comtrade", "flows")


class TradeFileError(InputError):
    """A trade file khooshe cannot read: its layout, a value, a code."""
