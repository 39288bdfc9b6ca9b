"""The hall simulator: days of a hall driven by the production rules of ``queue_app.domain``
(dispatch policy, ticket state machine), for waits, staffing and wait-estimate figures.
Pure computation: the callers load the files."""

from queue_app.sim.arrivals import Arrival, DemandModel, ScenarioError
from queue_app.sim.engine import DayResult, DaySim, Layout, run_day
from queue_app.sim.run import (
    EstimateProbe,
    comparison_layouts,
    layout_for,
    run_days,
    simulate,
)
from queue_app.sim.staffing import StaffingAdvice, advise
from queue_app.sim.stats import Summary, summarize

__all__ = [
    "Arrival",
    "DayResult",
    "DaySim",
    "DemandModel",
    "EstimateProbe",
    "Layout",
    "ScenarioError",
    "StaffingAdvice",
    "Summary",
    "advise",
    "comparison_layouts",
    "layout_for",
    "run_day",
    "run_days",
    "simulate",
    "summarize",
]
