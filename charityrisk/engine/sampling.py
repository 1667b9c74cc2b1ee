"""Random draws for one chunk of futures, from generators keyed by what they draw.

Each (chunk, owner, quantity) gets its own stream, so changing one input (a price, a
lag, another contract) leaves every other draw unchanged: common random numbers, which
comparisons, sensitivity and goal seeking rely on to tell real differences from noise.

Budget lines are keyed by their name (and which line of that name it is), not by their
place in the list, so adding, removing or reordering lines leaves the other lines' draws
alone.  With a ``correlation`` above 0 every per-future draw comes through the Gaussian
copula of docs/model.md (``FutureDraws``); at 0 the draws are exactly version 1's.
"""
from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from functools import lru_cache
from statistics import NormalDist
from typing import Any

import numpy as np

from ..model.scenario import SAMPLINGS, BudgetLine, Uncertain

# Stream names, kept stable: renumbering them would change every saved result.
ORG_INCOME = 0
NO_REFERRALS = 1
REFERRAL_RATE = 2
SUCCESS_RATE = 3
LATE = 4
MONTHLY_REFERRALS = 5
SUCCESSES = 6
COMMON_FACTOR = 7  # owner 0: the copula's common Z, one per future
BUDGET_LINE = 8  # owner 0, then (line key, occurrence, LINE_AMOUNT or LINE_HAPPENS)
# Version 3: a rate card's stages, owner the contract, key (stage,): the stage's rate, and
# (stage,) of STAGE_COUNTS for the binomial numbers reaching it.
STAGE_RATE = 9
STAGE_COUNTS = 10
LINE_AMOUNT = 0
RANDOM, LATIN_HYPERCUBE = SAMPLINGS
LINE_HAPPENS = 1


def stream(seed: int, chunk: int, owner: int, quantity: int, *key: int) -> np.random.Generator:
    """Generator for one quantity; owner 0 is the organisation, contract i is i + 1.

    ``key`` extends the spawn key for quantities with more than one instance (budget
    lines); version 1 quantities pass none, so their streams never change."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, owner, quantity, *key)))


def contract_owner(c: Any, index: int) -> int:
    """The owner number of a contract's streams: its id, else its place + 1 (version 1's key,
    which the id of a contract read from a file without ids equals)."""
    return index + 1 if c.id is None else int(c.id)


def budget_line_keys(lines: Sequence[BudgetLine]) -> list[tuple[int, int]]:
    """A stable key per line: a 32-bit hash of its name and which line of that name it is."""
    seen: dict[str, int] = {}
    keys = []
    for line in lines:
        occurrence = seen.get(line.name, 0)
        seen[line.name] = occurrence + 1
        keys.append((zlib.crc32(line.name.encode("utf-8")), occurrence))
    return keys


def pert(rng: np.random.Generator, u: Uncertain, n: int) -> np.ndarray:
    """n beta-PERT (lambda 4) draws between low and high with mode at likely."""
    if u.is_fixed:
        return np.full(n, float(u.low))
    alpha, beta = pert_shape(u)
    return u.low + (u.high - u.low) * rng.beta(alpha, beta, size=n)


def pert_shape(u: Uncertain) -> tuple[float, float]:
    span = u.high - u.low
    return 1 + 4 * (u.likely - u.low) / span, 1 + 4 * (u.high - u.likely) / span


def pert_variance(u: Uncertain) -> float:
    """Variance of the beta-PERT, (mean - low)(high - mean) / 7."""
    return (u.mean - u.low) * (u.high - u.mean) / 7


# ----------------------------------------------------------------------- the copula

# Tables for inverse CDFs: numpy has neither the normal CDF nor the beta quantile, and
# interpolating fine tables is exact to far below a penny on any amount the app allows
# (the beta grid puts a quantile within 1/65,536 of the range of its exact value).
_Z_GRID = np.linspace(-8.5, 8.5, 1 << 16)
_BETA_GRID = np.linspace(0.0, 1.0, (1 << 16) + 1)


@lru_cache(maxsize=1)
def _normal_cdf_table() -> np.ndarray:
    return np.array([0.5 * math.erfc(-z / math.sqrt(2)) for z in _Z_GRID.tolist()])


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Phi(z), vectorised (to about 1e-9)."""
    return np.interp(z, _Z_GRID, _normal_cdf_table())


@lru_cache(maxsize=256)
def _beta_cdf_table(alpha: float, beta: float) -> np.ndarray:
    x = _BETA_GRID
    # alpha, beta >= 1 here, so the density is finite (numpy takes 0^0 as 1 at the ends).
    density = x ** (alpha - 1) * (1 - x) ** (beta - 1)
    cdf = np.concatenate(([0.0], np.cumsum((density[1:] + density[:-1]) / 2)))
    return cdf / cdf[-1]


def pert_quantile(u: Uncertain, p: np.ndarray) -> np.ndarray:
    """The beta-PERT's p-quantile, elementwise."""
    if u.is_fixed:
        return np.full(p.shape, float(u.low))
    alpha, beta = pert_shape(u)
    return u.low + (u.high - u.low) * np.interp(p, _beta_cdf_table(alpha, beta), _BETA_GRID)


@lru_cache(maxsize=256)
def _pert_of_z_table(alpha: float, beta: float) -> np.ndarray:
    """The Beta(alpha, beta) quantile at Phi(z), on the uniform grid _Z_GRID."""
    return np.interp(_normal_cdf_table(), _beta_cdf_table(alpha, beta), _BETA_GRID)


def _on_z_grid(z: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Linear interpolation in a table over the uniform _Z_GRID, by index arithmetic (a
    binary search per value, as np.interp does, costs several times more)."""
    first, step = _Z_GRID[0], _Z_GRID[1] - _Z_GRID[0]
    t = (np.clip(z, first, _Z_GRID[-1]) - first) / step
    i = np.minimum(t.astype(np.intp), table.size - 2)
    low = table[i]
    return low + (t - i) * (table[i + 1] - low)


def pert_at_z(u: Uncertain, z: np.ndarray) -> np.ndarray:
    """The beta-PERT's quantile at Phi(z), elementwise: what the copula draws."""
    if u.is_fixed:
        return np.full(z.shape, float(u.low))
    return u.low + (u.high - u.low) * _on_z_grid(z, _pert_of_z_table(*pert_shape(u)))


def normal_quantile(p: float) -> float:
    """Phi^-1(p) for 0 < p < 1."""
    return NormalDist().inv_cdf(p)


class FutureDraws:
    """Every once-per-future draw of one chunk, independent or through the copula.

    Each draw is u_i = Phi(sqrt(c) Z + sqrt(1 - c) e_i), Z common to the future and e_i
    the draw's own (from the stream the independent draw would use), oriented so that a
    low u_i is the bad side.  With correlation 0 the draws are version 1's, bit for bit.
    """

    def __init__(self, seed: int, chunk: int, n: int, correlation: float = 0.0,
                 sampling: str = "random") -> None:
        self.seed, self.chunk, self.n = seed, chunk, n
        self.correlation = correlation
        # "latin_hypercube": each once-per-future draw of the chunk takes one value from each
        # of n equal slices of its range, in a random order (its own stream), instead of n
        # independent values; "random": version 1's independent draws.
        self.stratified = sampling == LATIN_HYPERCUBE
        self._common = None
        # Each once-per-future draw made, by (owner, quantity, *key), when a dict is given:
        # run_out_drivers reads them (engine.drivers).  None: nothing is kept.
        self.record: dict[tuple[int, ...], np.ndarray] | None = None
        if correlation > 0:
            self._common = math.sqrt(correlation) * stream(seed, chunk, 0, COMMON_FACTOR).standard_normal(n)

    def rng(self, owner: int, quantity: int, *key: int) -> np.random.Generator:
        return stream(self.seed, self.chunk, owner, quantity, *key)

    def _uniform(self, owner: int, quantity: int, key: tuple[int, ...]) -> np.ndarray:
        """One Latin hypercube column: a value from each of n equal slices of (0, 1)."""
        rng = self.rng(owner, quantity, *key)
        return (rng.permutation(self.n) + rng.random(self.n)) / self.n

    def _z(self, owner: int, quantity: int, key: tuple[int, ...]) -> np.ndarray:
        if self.stratified:
            e = np.interp(self._uniform(owner, quantity, key), _normal_cdf_table(), _Z_GRID)
        else:
            e = self.rng(owner, quantity, *key).standard_normal(self.n)
        return self._common + math.sqrt(1 - self.correlation) * e

    def value(self, u: Uncertain, owner: int, quantity: int, *key: int,
              cost_like: bool = False) -> np.ndarray:
        """An uncertain value: its quantile at u_i (income-like) or at 1 - u_i (cost-like)."""
        drawn = self._value(u, owner, quantity, key, cost_like)
        if self.record is not None:
            self.record[(owner, quantity, *key)] = drawn
        return drawn

    def _value(self, u: Uncertain, owner: int, quantity: int, key: tuple[int, ...],
               cost_like: bool) -> np.ndarray:
        if self._common is None:
            if self.stratified:
                return pert_quantile(u, self._uniform(owner, quantity, key))
            return pert(self.rng(owner, quantity, *key), u, self.n)
        if u.is_fixed:
            return np.full(self.n, float(u.low))
        z = self._z(owner, quantity, key)
        return pert_at_z(u, -z if cost_like else z)

    def bad_event(self, probability: float, owner: int, quantity: int, *key: int) -> np.ndarray:
        """A bad yes/no event (no referrals, late payment): it happens when u_i < probability."""
        happens = self._bad_event(probability, owner, quantity, key)
        if self.record is not None:
            self.record[(owner, quantity, *key)] = happens
        return happens

    def _bad_event(self, probability: float, owner: int, quantity: int, key: tuple[int, ...]) -> np.ndarray:
        if self._common is None:
            if self.stratified:
                return self._uniform(owner, quantity, key) < probability
            return self.rng(owner, quantity, *key).random(self.n) < probability
        return self._below(self._z(owner, quantity, key), probability)

    def line_happens(self, probability: float, owner: int, quantity: int, *key: int,
                     cost_like: bool = False) -> np.ndarray:
        """Whether a budget line happens at all: unless u_i < 1 - probability (u_i taken at
        1 - u_i for a cost line, so that costs come in the bad futures)."""
        happens = self._line_happens(probability, owner, quantity, key, cost_like)
        if self.record is not None:
            self.record[(owner, quantity, *key)] = happens
        return happens

    def _line_happens(self, probability: float, owner: int, quantity: int, key: tuple[int, ...],
                      cost_like: bool) -> np.ndarray:
        if probability >= 1:
            return np.ones(self.n, dtype=bool)
        if self._common is None:
            if self.stratified:
                return ~(self._uniform(owner, quantity, key) < 1 - probability)
            return ~(self.rng(owner, quantity, *key).random(self.n) < 1 - probability)
        z = self._z(owner, quantity, key)
        return ~self._below(-z if cost_like else z, 1 - probability)

    @staticmethod
    def _below(z: np.ndarray, probability: float) -> np.ndarray:
        """u < probability, i.e. z < Phi^-1(probability), without the CDF."""
        if probability <= 0:
            return np.zeros(z.shape, dtype=bool)
        if probability >= 1:
            return np.ones(z.shape, dtype=bool)
        return z < normal_quantile(probability)
