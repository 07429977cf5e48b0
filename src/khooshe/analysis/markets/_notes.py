"""Result columns, MarketsWarning and the notes (catalogue messages) the analysis returns."""

from __future__ import annotations

import warnings

from khooshe.text.messages import Message

POTENTIAL_COLUMNS = (
    "market", "product", "supply", "demand", "ease", "potential_value", "actual_value",
    "unrealised_value", "unrealised_pct", "rank",
    "rca", "comparative_advantage", "market_share", "supply_trend", "demand_base",
    "demand_trend", "market_growth", "distance_km", "supplier_distance_km",
    "distance_factor", "tariff", "reference_tariff", "tariff_factor", "ease_bilateral",
)
CANDIDATE_COLUMNS = (
    "market", "product", "score", "rank", "density", "demand", "ease", "rca", "pci", "cog",
    "actual_value",
)
WORLD = "WLD"


class MarketsWarning(UserWarning):
    """A fallback or an assumption the user should know about; ``note`` is the catalogue
    message (``markets.note.*``) the analysis returns among its notes."""

    def __init__(self, note: Message):
        super().__init__(str(note))
        self.note = note


def _note(key: str, **params: object) -> Message:
    return Message(f"markets.note.{key}", params)


def _warn(key: str, **params: object) -> None:
    warnings.warn(MarketsWarning(_note(key, **params)), stacklevel=3)
