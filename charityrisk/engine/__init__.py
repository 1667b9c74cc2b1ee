"""The vectorised Monte Carlo engine: numpy only, no Qt, no matplotlib."""
from .results import PERCENTILES, BaselineResults, Results
from .simulate import Cancelled, Progress, ResultsOverflow, simulate, simulation_steps

__all__ = ["PERCENTILES", "BaselineResults", "Cancelled", "Progress", "Results", "ResultsOverflow", "simulate",
           "simulation_steps"]
