"""Random draws for one chunk of futures, from generators keyed by what they draw.

Each (chunk, contract, quantity) gets its own stream, so changing one input (a price, a
lag, another contract) leaves every other draw unchanged: common random numbers, which
comparisons, sensitivity and goal seeking rely on to tell real differences from noise.
"""
from __future__ import annotations

import numpy as np

from ..model.scenario import Uncertain

# Stream names, kept stable: renumbering them would change every saved result.
ORG_INCOME = 0
NO_REFERRALS = 1
REFERRAL_RATE = 2
SUCCESS_RATE = 3
LATE = 4
MONTHLY_REFERRALS = 5
SUCCESSES = 6


def stream(seed: int, chunk: int, owner: int, quantity: int) -> np.random.Generator:
    """Generator for one quantity; owner 0 is the organisation, contract i is i + 1."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, owner, quantity)))


def pert(rng: np.random.Generator, u: Uncertain, n: int) -> np.ndarray:
    """n beta-PERT (lambda 4) draws between low and high with mode at likely."""
    if u.is_fixed:
        return np.full(n, float(u.low))
    span = u.high - u.low
    alpha = 1 + 4 * (u.likely - u.low) / span
    beta = 1 + 4 * (u.high - u.likely) / span
    return u.low + span * rng.beta(alpha, beta, size=n)


def pert_variance(u: Uncertain) -> float:
    """Variance of the beta-PERT, (mean - low)(high - mean) / 7."""
    return (u.mean - u.low) * (u.high - u.mean) / 7
