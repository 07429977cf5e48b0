"""The scores of a province's villages: :class:`Potential`, matrices and long tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis.potential._scaling import top_k
from khooshe.analysis.potential._weights import COMPONENTS, MATRIX_COMPONENTS, Weights
from khooshe.text.messages import Message


@dataclass
class Potential:
    """Scores of every (village, candidate activity) of a province, with their components.

    Attributes
    ----------
    villages : DataFrame
        One row per scored village (row ``i`` of every matrix): ``village_code``,
        ``county_code``, ``province_code``, ``name_fa``, ``name_en``, ``population``,
        ``working_age``, ``lat``, ``lon``, ``dist_park_km``, ``park_code``, ``dist_seat_km``,
        ``dist_city_km``, ``has_coordinates``.
    activities : ndarray of str
        Candidate ISIC classes (column ``j`` of every matrix), sorted.
    relatedness, resources, agglomeration : ndarray, float32, (V, P)
        Components in [0, 1].
    access, labour : ndarray, float32, (V,)
        Per-village components in [0, 1].
    penalty_values : dict of str to ndarray (V,)
        Each penalty's value in [0, 1]; ``penalty_masks`` the activities it applies to.
    score : ndarray, float32, (V, P)
    weights : Weights
    group_starts, density_max : ndarray (G,)
        First row of each province and its largest raw density (to recover ω from
        ``c_relatedness``).
    nearby_firms : csr_matrix (V, P)
        Operating establishments of the activity within the agglomeration radius.
    resource_supply : ndarray (V, R)
        ``Q_vr``: raw quantity of each resource feeding the village (see the docstring).
    resource_keys : ndarray of str (R,)
        Resources of ``resource_supply``; ``resource_best`` (V, P) int16 is the index of the
        resource giving ``c_resources`` (−1 when 0).
    notes : list of Message
        What was left out or assumed (catalogue messages, rendered by the reader), e.g. a
        penalty without data.
    """

    villages: pd.DataFrame
    activities: np.ndarray
    relatedness: np.ndarray
    resources: np.ndarray
    agglomeration: np.ndarray
    access: np.ndarray
    labour: np.ndarray
    penalty_values: dict[str, np.ndarray]
    penalty_masks: dict[str, np.ndarray]
    score: np.ndarray
    weights: Weights
    group_starts: np.ndarray
    density_max: np.ndarray
    nearby_firms: sp.csr_matrix
    resource_supply: np.ndarray
    resource_keys: np.ndarray
    resource_units: dict[str, str]
    resource_best: np.ndarray
    links: pd.DataFrame
    notes: list[Message] = field(default_factory=list)

    @property
    def component_names(self) -> list[str]:
        """Output components: the five, then the penalties."""
        return list(COMPONENTS) + [p.name for p in self.weights.penalties]

    def component(self, name: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Values of component (or penalty) ``name`` at cells (rows[i], cols[i])."""
        if name in MATRIX_COMPONENTS:
            return getattr(self, name)[rows, cols]
        if name in ("access", "labour"):
            return getattr(self, name)[rows]
        return self.penalty_values[name][rows] * self.penalty_masks[name][cols]

    def signed_weight(self, name: str) -> float:
        """Weight of a component (positive) or penalty (negative) in the score."""
        if name in COMPONENTS:
            return self.weights.weights[name]
        return -next(p.weight for p in self.weights.penalties if p.name == name)

    def cells(self, rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
        """Long table of the cells (rows[i], cols[i]) with score, components and facts."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        v = self.villages
        out = pd.DataFrame({
            "county_code": v["county_code"].to_numpy()[rows],
            "village_code": v["village_code"].to_numpy()[rows],
            "activity": self.activities[cols],
            "score": self.score[rows, cols].astype(np.float64),
        })
        for name in self.component_names:
            out[f"c_{name}"] = self.component(name, rows, cols).astype(np.float64)
        g = np.searchsorted(self.group_starts, rows, side="right") - 1
        c = self.relatedness[rows, cols].astype(np.float64)
        exp = self.weights.exponents["relatedness"]
        out["density"] = (c ** (1.0 / exp)) * self.density_max[g] if len(rows) else c
        out["nearby_firms"] = np.asarray(self.nearby_firms[rows, cols]).ravel().astype(
            np.int64) if len(rows) else np.zeros(0, np.int64)
        best = self.resource_best[rows, cols].astype(np.int64)
        has = best >= 0
        keys = np.full(len(rows), None, dtype=object)
        keys[has] = self.resource_keys[best[has]]
        out["resource"] = keys
        qty = np.full(len(rows), np.nan)
        if has.any():
            qty[has] = self.resource_supply[rows[has], best[has]]
        out["resource_quantity"] = qty
        return out

    def to_long(self, *, top: int | None = None, villages: Iterable[str] | None = None
                ) -> pd.DataFrame:
        """Every (village, activity) cell — or each village's ``top`` activities — as rows.

        Ordered by village (province, county, code) then descending score, ties by activity.
        """
        rows_all = np.arange(len(self.villages))
        if villages is not None:
            keep = self.villages["village_code"].isin(list(villages)).to_numpy()
            rows_all = rows_all[keep]
        p = len(self.activities)
        k = p if top is None else max(0, min(int(top), p))
        order = top_k(self.score[rows_all], k)
        rows = np.repeat(rows_all, k)
        cols = order.ravel()
        out = self.cells(rows, cols)
        out.insert(2, "rank", np.tile(np.arange(1, k + 1), len(rows_all)))
        return out
