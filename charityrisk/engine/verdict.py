"""The one rule that says whether a chance of running out is within the trustees' appetite.

A simulated chance p carries Monte Carlo error: its standard error se (sqrt(p(1 - p) / n)
for n futures).  The verdict allows for it with two standard errors either side, about a
95% range:

- WITHIN the appetite a   if p + 2 se <= a  (even the high end of the range is acceptable);
- ABOVE it                if p - 2 se >  a  (even the low end is not);
- TOO_CLOSE to call       otherwise: the futures run cannot tell, so run more of them.

This is the rule the headline has always used; the goal seeks, the comparison and the
report now use it too, so that no screen or page can call a chance "within the appetite"
while another calls the same chance "too close to call".  Two standard errors rather than a
plain ``p <= a`` because the answer must not flip between runs with different seeds: a
trustee who is told "within" should still be told "within" after running more futures.

Every caller goes through ``verdict``; nothing else compares a chance with the appetite.
"""
from __future__ import annotations

import enum

__all__ = ["Verdict", "ERRORS", "verdict"]

ERRORS = 2.0  # standard errors allowed either side of the estimate (about 95%)


class Verdict(enum.Enum):
    WITHIN = "within"
    TOO_CLOSE = "too_close"
    ABOVE = "above"

    @property
    def level(self) -> str:
        """The headline's colour level: 'safe', 'close' or 'unsafe'."""
        return {"within": "safe", "too_close": "close", "above": "unsafe"}[self.value]


def verdict(p: float, se: float, appetite: float) -> Verdict:
    """Whether the chance p (standard error se) is within, above or too close to the appetite."""
    if p - ERRORS * se > appetite:
        return Verdict.ABOVE
    if p + ERRORS * se <= appetite:
        return Verdict.WITHIN
    return Verdict.TOO_CLOSE
