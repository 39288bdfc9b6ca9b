"""The M/M/c hall: ``c`` windows serving everything, arrivals at one rate all day, exponential
handling. Erlang C describes it exactly, so the simulator is checked against it
(``tests/sim/test_erlang_validation.py``) and raced against the ciw library on it
(``bench/sim_speed.py``)."""

from __future__ import annotations

from queue_app.domain.demand import Demand, parse_demand
from queue_app.domain.hall import Hall, parse_hall


def mmc_hall(
    c: int, per_hour: float, mean_minutes: float, domain: str = "社保"
) -> tuple[Hall, Demand]:
    """The hall and its demand: open from 00:00, issuing until 23:00 (a day long enough to
    leave out a warm-up), every citizen with one matter of the catalog's ``domain``."""
    hall = parse_hall(
        {
            "hall": {"code": "mmc-hall", "name": "M/M/c"},
            "hours": {"open": "00:00", "close": "23:59", "issue_until": "23:00"},
            "ticket_classes": [{"prefix": "A", "name": "综合"}],
            "windows": [
                {"number": n, "name": "窗口", "kind": "undifferentiated", "serves": {"all": True}}
                for n in range(1, c + 1)
            ],
        }
    )
    demand = parse_demand(
        {
            "demand": {"name": "stationary M/M/c"},
            "arrivals": {"per_hour": {"00:00": per_hour}},
            "mix": {domain: 1},
            "handling": {"distribution": "exponential", "mean_minutes": mean_minutes},
        }
    )
    return hall, demand
