"""Compare payment structures: the same organisation under several contract terms.

Every option is simulated with the same number of futures and the same seed.  The engine
keys its random streams by block, contract and quantity, so option B's futures draw the
same referrals, success rates, income and late payments as option A's wherever their
inputs agree: the differences between options are the terms, not noise.  Each option also
reports its difference from the first (the baseline) with a paired standard error.
"""
from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ...model.fields import names_where
from ...model.scenario import Contract, Scenario
from ..results import Results
from ..simulate import Progress, simulation_steps
from ..verdict import Verdict, verdict
from .common import CancelledCallback, Meter, ProgressCallback, decision_steps, drive, paired_standard_error, run_steps

# The terms that make a payment structure (the source document's presets differ in these);
# the organisation, referral volumes, price, costs and success rates stay the user's own.
# The field table's ``structure`` column.
STRUCTURE_TERMS = names_where("contracts[]", "structure")
# The user's guesses of how the work will go.  A preset file carries guesses of its own (the
# heavy PbR preset's 33% chance of no referrals), but comparing payment terms must not quietly
# swap the user's risks for the preset's (issue 13): they are taken only when asked for.
# The field table's ``guess`` column.
RISK_GUESSES = names_where("contracts[]", "guess")
# Version 3's payment terms, copied with STRUCTURE_TERMS whenever a preset or programme is
# applied: a rate card's fees and stages (without them a copied "rate_card" mode would pay
# nothing), and a threshold contract's pooled target.  From a share-at-risk preset they hold
# their "none" values, which clear a rate card or pooled target of the user's that the
# preset's mode cannot have.  A rate card's stage rates come with its stages: the user's
# contract has no stages of its own to keep (its one success rate is not a funnel).
CARD_TERMS = ("fee_per_referral", "outcome_payments", "pooled_target_success_rate")

# Comparison.risk_guesses: whose guesses the options built from presets or programmes used.
YOUR_GUESSES = "yours"
PRESET_GUESSES = "presets"
@dataclass(frozen=True, eq=False)
class ComparedOption:
    label: str
    scenario: Scenario = field(repr=False)
    results: Results = field(repr=False)
    p_run_out_difference: float  # p_run_out minus the first option's, on the same futures
    p_run_out_difference_se: float  # paired standard error of that difference

    @property
    def p_run_out(self) -> float:
        return self.results.p_run_out


@dataclass(frozen=True, eq=False)
class Comparison:
    options: tuple[ComparedOption, ...]
    paths: int
    seed: int
    risk_appetite: float
    # YOUR_GUESSES or PRESET_GUESSES when presets or programmes were applied; None when every
    # option is a whole scenario of the user's (its files), carrying its own guesses.
    risk_guesses: str | None = None

    def ranking(self) -> tuple[int, ...]:
        """Option indices, safest first: lowest chance of running out, then the least extra
        working capital needed, then the order given."""
        return tuple(sorted(range(len(self.options)), key=lambda i: (
            self.options[i].results.p_run_out, self.options[i].results.working_capital_needed_95, i)))

    def verdict(self, option: ComparedOption) -> Verdict:
        """The option's chance of running out against the appetite (engine.verdict's rule)."""
        return verdict(option.p_run_out, option.results.p_run_out_se, self.risk_appetite)

    @property
    def safest(self) -> ComparedOption:
        return self.options[self.ranking()[0]]

    def to_json_dict(self) -> dict[str, Any]:
        rank = {i: r + 1 for r, i in enumerate(self.ranking())}
        return {
            "paths": self.paths, "seed": self.seed, "risk_appetite": self.risk_appetite,
            "common_random_numbers": True, "safest": self.safest.label,
            "risk_guesses": self.risk_guesses,
            "options": [{"label": o.label, "scenario": o.scenario.name, "rank": rank[i],
                         "within_appetite": self.verdict(o) is Verdict.WITHIN,
                         "verdict": self.verdict(o).value,
                         "p_run_out_difference": o.p_run_out_difference,
                         "p_run_out_difference_se": o.p_run_out_difference_se,
                         **o.results.to_json_dict()}
                        for i, o in enumerate(self.options)],
        }


def _terms(preset_guesses: bool, terms: tuple[str, ...]) -> tuple[str, ...]:
    return terms + RISK_GUESSES if preset_guesses else terms


def apply_structure(s: Scenario, contract: int, terms: Contract, preset_guesses: bool = False) -> Scenario:
    """Scenario s with contract ``contract`` under the payment structure of ``terms`` (its
    STRUCTURE_TERMS and CARD_TERMS), everything else the user's own; with ``preset_guesses``
    also the RISK_GUESSES of ``terms``."""
    taken = _terms(preset_guesses, STRUCTURE_TERMS + CARD_TERMS)
    return s.with_contract(contract, **{k: getattr(terms, k) for k in taken})


def risk_guesses_of(preset_guesses: bool) -> str:
    """Comparison.risk_guesses for options built with (or without) the presets' guesses."""
    return PRESET_GUESSES if preset_guesses else YOUR_GUESSES


def preset_options(s: Scenario, contract: int = 0, preset_guesses: bool = False) -> list[tuple[str, Scenario]]:
    """The user's scenario, then the source document's presets' payment terms applied to its
    contract (reads the preset files shipped in resources/).  The user's RISK_GUESSES stay
    unless ``preset_guesses``; pass risk_guesses_of(preset_guesses) to compare to say which."""
    from ...model import load_scenario
    from ...resources import PRESETS, preset_path

    if not 0 <= contract < len(s.contracts):
        raise ValueError(f"contract: no contract {contract} (the scenario has {len(s.contracts)})")
    options = [(s.name or "Your terms", s)]
    for key, title in PRESETS.items():
        preset = load_scenario(preset_path(key))
        options.append((title, apply_structure(s, contract, preset.contracts[0], preset_guesses)))
    return options


# A real programme's terms: the payment structure and how its referrals arrived.
PROGRAMME_TERMS = STRUCTURE_TERMS + CARD_TERMS + ("ramp_up_months", "guaranteed_referrals_per_month")


def programme_options(s: Scenario, contract: int = 0, preset_guesses: bool = False) -> list[tuple[str, Scenario]]:
    """The user's scenario, then the terms of real programmes (resources.PROGRAMMES:
    Peterborough, Doncaster, the Work Programme, the Fair Chance Fund, Transforming
    Rehabilitation) applied to its contract: their PROGRAMME_TERMS (a rate card's fees and
    stages among them), everything else the user's own; a programme's contract length (the
    Fair Chance Fund's first-year-only referrals) is not a term.  A programme's referral
    shortfall, success rate, late payment and chance of no referrals are its guesses, not
    terms: they come in only with ``preset_guesses`` (the files' notes say where they are from)."""
    from ...model import load_scenario
    from ...resources import PROGRAMMES, preset_path

    if not 0 <= contract < len(s.contracts):
        raise ValueError(f"contract: no contract {contract} (the scenario has {len(s.contracts)})")
    options = [(s.name or "Your terms", s)]
    for key, title in PROGRAMMES.items():
        terms = load_scenario(preset_path(key)).contracts[0]
        taken = _terms(preset_guesses, PROGRAMME_TERMS)
        options.append((title, s.with_contract(contract, **{k: getattr(terms, k) for k in taken})))
    return options


def compare_steps(options: Sequence[tuple[str, Scenario]], paths: int | None = None,
                  seed: int | None = None, appetite: float | None = None,
                  risk_guesses: str | None = None) -> Generator[Progress, None, Comparison]:
    """Simulate each (label, scenario) on the same futures; yield Progress(done, total) in
    futures over all options; return the Comparison.  Defaults come from the first;
    ``risk_guesses`` (YOUR_GUESSES, PRESET_GUESSES or None) is recorded for the report."""
    if not options:
        raise ValueError("options: nothing to compare")
    first = options[0][1]
    paths = first.settings.paths if paths is None else paths
    seed = first.settings.seed if seed is None else seed
    appetite = first.settings.risk_appetite if appetite is None else appetite
    if isinstance(appetite, bool) or not isinstance(appetite, (int, float)) or not 0 <= appetite <= 1:
        raise ValueError(f"risk_appetite: must be a share between 0 and 1 (got {appetite!r})")
    if risk_guesses not in (None, YOUR_GUESSES, PRESET_GUESSES):
        raise ValueError(f"risk_guesses: must be {YOUR_GUESSES!r}, {PRESET_GUESSES!r} or None (got {risk_guesses!r})")
    def run_all(meter: Meter) -> Generator[Progress, None, list[Results]]:
        results = []
        for k, (_, s) in enumerate(options):
            def on_step(step: Progress, first: int = k * paths) -> Progress:
                return meter.at(first + step.done)  # progress counts futures over all options

            r = yield from drive(simulation_steps(s, paths, seed), on_step)
            results.append(r)
        return results

    results = yield from decision_steps(paths * len(options), run_all)
    base = results[0].run_out_month > 0
    compared = []
    for (label, s), r in zip(options, results):
        flags = r.run_out_month > 0
        compared.append(ComparedOption(label, s, r, r.p_run_out - results[0].p_run_out,
                                       paired_standard_error(flags, base)))
    return Comparison(tuple(compared), paths, seed, appetite, risk_guesses)


def compare(options: Sequence[tuple[str, Scenario]], paths: int | None = None, seed: int | None = None,
            appetite: float | None = None, progress: ProgressCallback | None = None,
            cancelled: CancelledCallback | None = None, risk_guesses: str | None = None) -> Comparison:
    """Run the options side by side on common random numbers (see compare_steps)."""
    return run_steps(compare_steps(options, paths, seed, appetite, risk_guesses), progress, cancelled)



# ----- named variants ("Try different terms") -----------------------------------------------

CURRENT_TERMS = "Current terms"  # the scenario as it stands, beside its saved variants


def variant_options(s: Scenario) -> list[tuple[str, Scenario]]:
    """The scenario as it stands, then each of its named variants (Scenario.variants), for
    ``compare``: the first is the one the others are measured against."""
    current = replace(s, variants=())
    return [(CURRENT_TERMS, current)] + [(v.name or f"Variant {i + 1}", v) for i, v in enumerate(s.variants)]


@dataclass(frozen=True)
class VariantFigures:
    """One row of the variants side by side: the figures a finance lead weighs terms by."""

    label: str
    p_run_out: float
    p_run_out_se: float
    verdict: Verdict  # against the appetite, by engine.verdict's rule
    p_run_out_difference: float  # minus the first row's, on the same futures
    p_run_out_difference_se: float
    # The worst month: the month in which most of the futures that run out do so, because
    # that is when the cash is needed (and what the structure comparison calls "most likely
    # month"); when no future runs out, the month of the lowest median balance instead,
    # the tightest month of a typical future.  ``worst_month_runs_out`` says which.
    worst_month: int
    worst_month_runs_out: bool
    working_capital_needed_95: float
    # The contracts' margin on the work done within the horizon: their expected receipts
    # there plus the payments still owed for that work at its end, less their costs there.
    # The owed payments count because outcome payments often fall after the horizon: without
    # them a contract with a long outcome wait looks loss-making when it is only paid late.
    margin: float


def worst_month(r: Results) -> tuple[int, bool]:
    """(month, whether it is the month running out is most likely) for a run: see
    VariantFigures.worst_month."""
    month = r.most_likely_run_out_month
    if month is not None:
        return month, True
    return int(np.argmin(r.balance_percentiles["50"])) + 1, False


def variant_figures(comparison: Comparison) -> tuple[VariantFigures, ...]:
    """The comparison's options as rows of figures, in the order compared."""
    rows = []
    for o in comparison.options:
        r = o.results
        month, runs_out = worst_month(r)
        rows.append(VariantFigures(o.label, r.p_run_out, r.p_run_out_se, comparison.verdict(o),
                                   o.p_run_out_difference, o.p_run_out_difference_se, month, runs_out,
                                   r.working_capital_needed_95,
                                   float(np.sum(r.contract_margin)) + r.expected_owed_after_horizon))
    return tuple(rows)


def compare_variants_steps(s: Scenario, paths: int | None = None, seed: int | None = None,
                           appetite: float | None = None) -> Generator[Progress, None, Comparison]:
    """The scenario beside its named variants on the same futures (compare_steps)."""
    if not s.variants:
        raise ValueError("variants: the scenario has no variants to compare")
    return (yield from compare_steps(variant_options(s), paths, seed, appetite))


def compare_variants(s: Scenario, paths: int | None = None, seed: int | None = None,
                     appetite: float | None = None, progress: ProgressCallback | None = None,
                     cancelled: CancelledCallback | None = None) -> Comparison:
    return run_steps(compare_variants_steps(s, paths, seed, appetite), progress, cancelled)
