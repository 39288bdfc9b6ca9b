"""Erlang C: the M/M/c queue, the physical limit of one fully pooled line.

``c`` windows, offered load ``a = λ/μ`` (arrival rate × mean handling time, in erlangs).
Numerically stable for c up to several hundred: the Erlang B recurrence
``B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1))`` never forms a factorial or a power, and
``C = B / (1 - ρ(1 - B))`` with ρ = a/c. Pure arithmetic, no I/O.
"""

from __future__ import annotations

import math


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c (Erlang B)."""
    if c < 0 or a < 0:
        raise ValueError("expected c >= 0 and a >= 0")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival must wait in M/M/c (Erlang C); 1 when a >= c (unstable)."""
    if c <= 0:
        raise ValueError("expected at least one server")
    if a < 0:
        raise ValueError("expected a >= 0")
    if a >= c:
        return 1.0
    b = erlang_b(c, a)
    rho = a / c
    return b / (1.0 - rho * (1.0 - b))


def mean_wait(c: int, a: float, mean_service: float) -> float:
    """Mean wait before service, in the unit of ``mean_service``: C / (cμ - λ).
    Infinite when a >= c."""
    if a >= c:
        return math.inf
    return erlang_c(c, a) * mean_service / (c - a)


def wait_exceeds(c: int, a: float, mean_service: float, t: float) -> float:
    """P(wait > t) = C · exp(-(cμ - λ) t), with t in the unit of ``mean_service``."""
    if a >= c:
        return 1.0
    if t < 0:
        return 1.0
    return erlang_c(c, a) * math.exp(-(c - a) * t / mean_service)


def wait_quantile(c: int, a: float, mean_service: float, q: float) -> float:
    """The q-quantile of the wait (e.g. q=0.9 for p90): 0 when P(wait > 0) <= 1 - q."""
    if not 0 < q < 1:
        raise ValueError("expected 0 < q < 1")
    if a >= c:
        return math.inf
    pc = erlang_c(c, a)
    if pc <= 1 - q:
        return 0.0
    return mean_service * math.log(pc / (1 - q)) / (c - a)


def servers_needed(a: float, mean_service: float, target: float, q: float = 0.9) -> int:
    """The fewest windows whose q-quantile of wait is at most ``target`` (same unit as
    ``mean_service``); 0 when there is no load."""
    if a <= 0:
        return 0
    c = max(1, math.floor(a) + 1)
    while wait_quantile(c, a, mean_service, q) > target:
        c += 1
    return c
